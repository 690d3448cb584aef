# Input errors found by src/domain/.
# The keys match i18n_key() in Rust; the test domain::i18n_keys_tests checks that every key
# is here and in ru/domain.ftl and that every variable is supplied.

## Date

err-date-empty = Please enter a date, for example: 25.12 or 25.12.2026.
err-date-too-long = That is too long for a date (over { $max } characters). Please enter a short date, for example: 25.12.2026.
err-date-unrecognised = I could not read that date. Please enter it as DD.MM or DD.MM.YYYY, for example: 25.12 or 25.12.2026. You can also write "today", "tomorrow" or "day after tomorrow".
err-date-day-out-of-range = No month has a day { $day }. Please enter a day from 1 to 31, for example: 25.12.
err-date-month-out-of-range = There is no month { $month }. Please enter a month from 1 to 12, for example: 25.12 is 25 December.
err-date-year-out-of-range = The year { $year } cannot be used: choose a year from { $min } to { $max }. Please enter a date, for example: 25.12.2026.
err-date-no-such-date = The date { $date } does not exist. Please check the day and month and enter a real date, for example: 28.02.{ $year }.

## Time

err-time-empty = Please enter a time, for example: 18:30.
err-time-too-long = That is too long for a time (over { $max } characters). Please enter the time as HH:MM, for example: 18:30.
err-time-unrecognised = I could not read that time. Please enter it as HH:MM, for example: 18:30 or 9:05.
err-time-hour-out-of-range = There is no hour { $hour }: hours go from 0 to 23. Please enter a time, for example: 18:30 (midnight is 0:00).
err-time-minute-out-of-range = There is no minute { $minute }: minutes go from 00 to 59. Please enter a time, for example: 18:30.

## Date and time together

err-datetime-empty = Please enter the start date and time, for example: 25.12 18:30 or "tomorrow 18:00".
err-datetime-too-long = That is too long (over { $max } characters). Please enter a short date and time, for example: 25.12.2026 18:30.
err-datetime-unrecognised = I could not read that date and time. Please enter them like this: 25.12 18:30, 25.12.2026 18:30, "tomorrow 18:00" or "today 9:05".

## Clock changes

err-local-time-nonexistent = { $time } on { $date } never happens: in the { $zone } time zone the clocks go forward that night. Please choose another time, for example: { $shifted_time }.
err-local-time-ambiguous = { $time } on { $date } happens twice: in the { $zone } time zone the clocks go back that night (first at { $earlier_offset }, then at { $later_offset }). Please choose a time an hour earlier or later to avoid confusion.

## Start

err-start-in-past = That time has already passed. Please choose a time in the future, for example: "tomorrow 18:00".

## Title

err-title-empty = The title cannot be empty. Please write a title for the event, for example: Introduction to Python.
err-title-too-long = The title is too long: { $actual } { $actual ->
    [one] character
   *[other] characters
}, and at most { $max } are allowed. Please shorten it.
err-title-control-character = The title must be a single line without line breaks or special characters. Please write it on one line, for example: Introduction to Python.

## Description

err-description-empty = The description is empty. Please write the description text or skip this step.
err-description-too-long = The description is too long: { $actual } { $actual ->
    [one] character
   *[other] characters
}, and at most { $max } are allowed. Please shorten it.
err-description-control-character = The description contains special characters that cannot be saved. Please send it as plain text.

## Duration

err-duration-unrecognised = I could not read that duration. Please enter it in minutes, for example: 90, or in hours and minutes, for example: 1:30.
err-duration-too-short = An event cannot be shorter than { $min } { $min ->
    [one] minute
   *[other] minutes
}. Please enter the duration in minutes, for example: 45.
err-duration-too-long = An event cannot be longer than { $max } { $max ->
    [one] minute
   *[other] minutes
} (12 hours). Please enter a shorter duration, for example: 90 or 3:00.

## Invites

err-invite-invalid = This invite link is not valid. Please ask the organiser to send you a new link.
