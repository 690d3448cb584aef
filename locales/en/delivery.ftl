## The event card a listener receives
card-title = 📚 <b>{ $title }</b>
card-when = 🗓 { $when }
card-when-format = { $weekday }, { $date }, { $start }–{ $end } ({ $zone }, { $offset })
card-duration = ⏱ { $duration }
card-repeat = 🔁 { $rule }
card-host = 👤 Host: { $host }
card-no-link = 🔗 The meeting link will come later: I will send it.
card-cancelled = ❌ <b>This class is cancelled.</b>
card-finished = ⚪ This class is over.
card-rsvp-yes = ✅ Your answer: I'll come.
card-rsvp-no = ☑️ Your answer: I can't come.
card-rsvp-counts = Coming: { $yes }, not coming: { $no }.
button-join = ▶️ Join
button-rsvp-yes = ✅ I'll come
button-rsvp-no = ❌ I can't
button-calendar = 📅 Add to calendar
button-calendar-remove = 🗑 Remove from calendar

## Reminders and notices
reminder-text = ⏰ "{ $title }" starts in { $left }.
reminder-starting = 🔴 "{ $title }" is starting now!
reminder-late = ⌛ This reminder is late: the bot was briefly unavailable.
notice-changed = ✏️ "{ $title }" has changed. Now: { $when }. The invitation card above is updated.
notice-cancelled = ❌ "{ $title }" ({ $when }) is cancelled.
nudge-text = 🙋 Please let us know whether you will come to "{ $title }" ({ $when }): the buttons are on the invitation card.

alert-next-occurrence = ⚠️ The meeting for the next class of the series "{ $title }" ({ $when }) cannot be created: { $reason }
    I keep trying every 5 minutes. Please check the service connection: /providers

## Answers to button presses on the card
rsvp-saved-yes = Noted: you will come.
rsvp-saved-no = Noted: you can't come.
rsvp-not-listener = This invitation is not for you: you are not on the list of listeners.
rsvp-closed = This class is no longer planned: no answer is needed.
calendar-sent = The calendar file is in your private chat with me.
calendar-write-first = Please write to me in a private chat first, then I can send you the calendar file.
calendar-caption = Open the file to add "{ $title }" to your calendar.
calendar-update-caption = "{ $title }" has changed: open this file and the entry in your calendar is updated.
calendar-remove-caption = "{ $title }" is cancelled: open this file to remove it from your calendar.

## Dates
weekday-1 = Mon
weekday-2 = Tue
weekday-3 = Wed
weekday-4 = Thu
weekday-5 = Fri
weekday-6 = Sat
weekday-7 = Sun
