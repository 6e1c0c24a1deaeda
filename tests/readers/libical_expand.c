/* Expand an .ics the way Evolution (GNOME) does, with libical 3: one tab-separated line per
 * occurrence: UID, start and end (UTC seconds since 1970), STATUS, SUMMARY.
 * Usage: libical_expand FILE.ics FIRST_YEAR LAST_YEAR
 * Repeating events are expanded by libical's own iterator (icalcomponent_foreach_recurrence,
 * EXDATEs honoured); an override (RECURRENCE-ID) replaces the instance that starts at the same
 * instant, as Evolution matches them. Zones come from the file's own VTIMEZONEs. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 200000

struct item { const char *uid; time_t start, end; icalcomponent *comp; int gone; };
static struct item items[MAX_ITEMS];
static int n_items;

static void add(icalcomponent *comp, time_t start, time_t end) {
    if (n_items == MAX_ITEMS) { fprintf(stderr, "too many occurrences\n"); exit(3); }
    items[n_items].uid = icalcomponent_get_uid(comp);
    items[n_items].start = start;
    items[n_items].end = end;
    items[n_items].comp = comp;
    items[n_items].gone = 0;
    n_items++;
}

static void instance(icalcomponent *comp, struct icaltime_span *span, void *data) {
    (void)data;
    add(comp, span->start, span->end);
}

/* A SUMMARY on one line: newlines and backslashes escaped as in iCalendar. */
static void print_text(const char *text) {
    for (; text && *text; text++) {
        if (*text == '\n') fputs("\\n", stdout);
        else if (*text == '\\') fputs("\\\\", stdout);
        else putchar(*text);
    }
}

static time_t instant(struct icaltimetype t) {
    return icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
}

static time_t end_of(icalcomponent *comp) {
    struct icaltimetype start = icalcomponent_get_dtstart(comp);
    if (icalcomponent_get_first_property(comp, ICAL_DTEND_PROPERTY))
        return instant(icalcomponent_get_dtend(comp));
    return instant(start) + icaldurationtype_as_int(icalcomponent_get_duration(comp));
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FILE.ics FIRST_YEAR LAST_YEAR\n", argv[0]); return 2; }
    FILE *fh = fopen(argv[1], "rb");
    if (!fh) { perror(argv[1]); return 2; }
    static char buffer[64 * 1024 * 1024];
    size_t size = fread(buffer, 1, sizeof buffer - 1, fh);
    buffer[size] = 0;
    fclose(fh);
    icalcomponent *cal = icalparser_parse_string(buffer);
    if (!cal) { fprintf(stderr, "libical could not parse %s\n", argv[1]); return 1; }
    struct icaltimetype first = icaltime_from_string(argv[2]);
    struct icaltimetype last = icaltime_from_string(argv[3]);
    icalcomponent *ev;
    /* Masters and plain events first, then overrides replace the instance they name. */
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY)) continue;
        if (icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY))
            icalcomponent_foreach_recurrence(ev, first, last, instance, NULL);
        else
            add(ev, instant(icalcomponent_get_dtstart(ev)), end_of(ev));
    }
    int masters = n_items;
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (!icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY)) continue;
        /* icalcomponent_get_recurrenceid() leaves the zone unset: resolve its TZID in the file,
         * as Evolution does (icalcomponent_get_dtstart() does so itself). */
        icalproperty *rid_prop = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
        struct icaltimetype rid_time = icalproperty_get_recurrenceid(rid_prop);
        icalparameter *tzid = icalproperty_get_first_parameter(rid_prop, ICAL_TZID_PARAMETER);
        if (tzid && !icaltime_is_utc(rid_time))
            rid_time.zone = icalcomponent_get_timezone(cal, icalparameter_get_tzid(tzid));
        time_t rid = instant(rid_time);
        int found = 0;
        for (int i = 0; i < masters; i++) {
            if (!items[i].gone && items[i].start == rid && strcmp(items[i].uid, icalcomponent_get_uid(ev)) == 0) {
                items[i].gone = 1;
                found = 1;
            }
        }
        if (!found) printf("ORPHAN\t%s\t%lld\n", icalcomponent_get_uid(ev), (long long)rid);
        add(ev, instant(icalcomponent_get_dtstart(ev)), end_of(ev));
    }
    for (int i = 0; i < n_items; i++) {
        if (items[i].gone) continue;
        icalproperty *status = icalcomponent_get_first_property(items[i].comp, ICAL_STATUS_PROPERTY);
        const char *summary = icalcomponent_get_summary(items[i].comp);
        printf("%s\t%lld\t%lld\t%s\t", items[i].uid, (long long)items[i].start, (long long)items[i].end,
               status ? icalproperty_get_value_as_string(status) : "");
        print_text(summary);
        putchar('\n');
    }
    return 0;
}
