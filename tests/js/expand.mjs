// Expand an .ics the way Thunderbird does, with ical.js: one JSON object a line per occurrence.
// Usage: node expand.mjs FILE.ics FIRST_DATE LAST_DATE   (dates YYYY-MM-DD, inclusive)
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, first, last] = process.argv.slice(2);
const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const end = ICAL.Time.fromDateString(last);
end.adjust(1, 0, 0, 0);

const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  // No automatic relating: ical.js would attach every RECURRENCE-ID in the file, whatever its UID.
  const event = new ICAL.Event(vevent, { strictExceptions: true, exceptions: [] });
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const exception of exceptions) {
  const master = masters.get(exception.uid);
  if (master) master.relateException(exception);
  else masters.set(exception.uid + "#" + exception.recurrenceId, exception);
}

function emit(uid, start, endTime, item) {
  process.stdout.write(JSON.stringify({
    uid,
    local: start.toString(),
    zone: start.zone ? start.zone.tzid : null,
    start: start.toJSDate().toISOString(),
    end: endTime.toJSDate().toISOString(),
    summary: item.summary,
    status: item.component.getFirstPropertyValue("status"),
  }) + "\n");
}

const begin = ICAL.Time.fromDateString(first);
for (const event of masters.values()) {
  if (event.isRecurring() && !event.isRecurrenceException()) {
    const iterator = event.iterator();
    for (let next = iterator.next(); next && next.compare(end) < 0; next = iterator.next()) {
      const details = event.getOccurrenceDetails(next);
      if (details.startDate.compare(begin) >= 0 && details.startDate.compare(end) < 0) {
        emit(event.uid, details.startDate, details.endDate, details.item);
      }
    }
  } else {
    emit(event.uid, event.startDate, event.endDate, event);
  }
}
