/* libical 3's own recurrence iterator on a spring-forward night, with its built-in zone
 * (no file, no VTIMEZONE): a weekly 01:30 rule from DTSTART in ZONE, one line per instance:
 * the wall time it makes, and that time as UTC seconds; then how libical reads the written
 * wall time WRITTEN (YYYYMMDDTHHMMSS) in the same zone.
 * Usage: libical_gap ZONE DTSTART RRULE WRITTEN */
#include <libical/ical.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s ZONE DTSTART RRULE WRITTEN\n", argv[0]); return 2; }
    icaltimezone *zone = icaltimezone_get_builtin_timezone(argv[1]);
    if (!zone) { fprintf(stderr, "no built-in zone %s\n", argv[1]); return 2; }
    struct icaltimetype start = icaltime_from_string(argv[2]);
    start = icaltime_set_timezone(&start, zone);
    icalrecur_iterator *it = icalrecur_iterator_new(icalrecurrencetype_from_string(argv[3]), start);
    struct icaltimetype t;
    while (!icaltime_is_null_time(t = icalrecur_iterator_next(it)))
        printf("%s\t%lld\n", icaltime_as_ical_string(t), (long long)icaltime_as_timet_with_zone(t, zone));
    icalrecur_iterator_free(it);
    struct icaltimetype written = icaltime_from_string(argv[4]);
    printf("WRITTEN\t%lld\n", (long long)icaltime_as_timet_with_zone(written, zone));
    return 0;
}
