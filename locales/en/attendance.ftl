## Attendance: who came to a class, and for how long

event-attendance = 👥 Who came
attendance-open = 👥 Open the report
attendance-ready = 👥 The attendance report of «{ $title }» ({ $when }) is here.
attendance-service-gives-none = ℹ️ The service of «{ $title }» gives no attendance reports: { $reason }
    I will not ask it again; if its key or plan changes, update the connection in /providers.

attendance-unavailable-plan = this plan has no reports (Zoom gives them from the Pro plan up).
attendance-unavailable-permission = the key may not read reports (Zoom: report:read:admin; Kontur.Talk: application.reporting.read).
attendance-unavailable-no-api = the service has no attendance reports.

attendance-title = 👥 Attendance: «{ $title }»
attendance-counted-report = From the service's report.
attendance-counted-presses = The service gives no reports: these are presses of the Join button. A press is not a whole class.
attendance-counted-waiting = The service's report is not ready yet: I will ask again (up to a day and a half after the class).
attendance-counted-no-report = The service gave no report in the day and a half after the class.
attendance-counted-not-counted = The service gives no reports, and Join presses are not counted: that needs the bot's PUBLIC_URL.

attendance-section-attended = { $count ->
    [one] Attended — { $count } person:
   *[other] Attended — { $count } people:
}
attendance-section-pressed = { $count ->
    [one] Pressed Join — { $count } person:
   *[other] Pressed Join — { $count } people:
}
attendance-section-absent = { $count ->
    [one] Absent — { $count } person:
   *[other] Absent — { $count } people:
}
attendance-section-unmatched = { $count ->
    [one] Not recognised — { $count } participant (not among the listeners):
   *[other] Not recognised — { $count } participants (not among the listeners):
}
attendance-minutes = { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}
attendance-late = late
attendance-left-early = left early
attendance-no-listeners = The class has no listeners invited in person.
attendance-more-in-file = …and { $count } more: the file has everyone.

attendance-download-xlsx = 📊 Download .xlsx
attendance-download-csv = 📄 Download .csv
attendance-download-caption = Attendance: «{ $title }»
attendance-download-failed = The file could not be made. Please try again a little later.
attendance-series = 📈 Whole series

attendance-series-title = 📈 Attendance of the series «{ $title }»
attendance-series-class = { $date }: { $present } of { $invited } came
attendance-series-listener = { $name } — { $present } of { $counted } ({ $share } %)
attendance-series-empty = The series has no past classes yet.
attendance-chart-caption = Attendance of the series «{ $title }»

## Past classes, for their attendance
events-past = 🕘 Past classes
events-past-none = No classes ended in the last { $days } days.
events-past-heading = { $count ->
    [one] { $count } past class
   *[other] { $count } past classes
} (page { $page } of { $pages }). Choose a class:
