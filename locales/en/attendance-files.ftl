## Attendance files: the tables (CSV, xlsx) and the chart a teacher downloads.
## Plain text: these go into files, not into Telegram's HTML.
attendance-file-sheet-class = Class
attendance-file-sheet-series = Series

## Table columns
attendance-file-col-name = Name
attendance-file-col-organisation = Organisation
attendance-file-col-status = Status
attendance-file-col-minutes = Minutes
attendance-file-col-late = Joined late
attendance-file-col-early = Left early
attendance-file-col-matched-by = Matched by
attendance-file-col-pressed-at = Pressed at
attendance-file-col-attended = Attended
attendance-file-col-share = Share, %

## A listener's line in a class
attendance-file-status-attended = attended
attendance-file-status-pressed = pressed Join
attendance-file-status-absent = absent
attendance-file-status-unknown = unknown
attendance-file-status-not-matched = not matched
attendance-file-yes = yes
attendance-file-no = no
attendance-file-matched-token = personal link
attendance-file-matched-registrant = registration
attendance-file-matched-email = e-mail
attendance-file-matched-name = name

## A listener's cell in a series (minutes when they attended)
attendance-file-mark-pressed = ✓
attendance-file-mark-absent = —
attendance-file-mark-unknown = ?

## The lines above the table in the xlsx file
attendance-file-class-when = { $date }, { $from }–{ $to } ({ $zone })
attendance-file-counted-report = Attendance is from the service's report.
attendance-file-counted-presses = Attendance is from presses of the Join button: the service gives no report, so how long each listener stayed is not known.
attendance-file-counted-waiting = The service's report has not come yet: attendance appears when it does.
attendance-file-counted-plan = There will be no report: the service's plan gives no participant reports.
attendance-file-counted-permission = There will be no report: the connection to the service has no permission to read reports.
attendance-file-counted-no-api = There will be no report: the service gives no participant reports.
attendance-file-counted-presses-not-counted = Attendance is not known: the service gives no report, and the bot does not count Join presses here.
attendance-file-counted-no-report = No report: the service gave none in the day and a half after the class.
attendance-file-summary-attended = In class: { $present } of { $listeners } { $listeners ->
        [one] listener
       *[other] listeners
    }.
attendance-file-summary-pressed = Pressed Join: { $present } of { $listeners } { $listeners ->
        [one] listener
       *[other] listeners
    }.
attendance-file-summary-strangers = Not matched to listeners: { $n } { $n ->
        [one] participant
       *[other] participants
    }.
attendance-file-series-period = { $classes } { $classes ->
        [one] class
       *[other] classes
    }: { $from } – { $to } ({ $zone })
attendance-file-series-empty = The series has no classes yet.
attendance-file-series-legend = In the cells: a number is minutes in class, “{ $pressed }” pressed Join, “{ $absent }” absent, “{ $unknown }” no data, blank: not invited.

## The chart
attendance-file-chart-x = Classes
attendance-file-chart-y = Listeners
attendance-file-chart-present = Present
attendance-file-chart-invited = Invited
