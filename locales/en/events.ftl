## /new: the questions
new-not-allowed = Classes are created by teachers. If you are a teacher, ask an administrator for an invitation link.
new-ask-title = What is the class called? For example: "Webinar: tax deductions".
new-ask-provider = Where will the meeting take place? Choose a video service:
new-no-providers = There is no video service you can use yet. Ask an administrator to connect one (/providers).
new-ask-link = Send the meeting link, starting with https://
new-bad-link = That does not look like a meeting link. Send the whole address, starting with https://
new-ask-date = On what day? Pick it in the calendar or type a date, with the time if you like: <code>25.12</code>, <code>25.12.2026 18:30</code>, <code>tomorrow 18:00</code>. Times are in your zone: { $zone }.
new-date-past = That day has passed. Choose today or a later day.
new-ask-time = What time does it start on { $date }? Type it, for example <code>18:30</code>. Zone: { $zone }.
new-ask-duration = How long is the class? Pick one or type minutes (<code>75</code>) or hours and minutes (<code>1:15</code>).
new-ask-description = Add a description for listeners: the topic, what to prepare. Or skip this step.
new-ask-host = Who hosts the class?
new-host-me = Me
new-ask-host-email = Type the host's e-mail on this service: the meeting is created on their behalf. Or keep the host set when the service was connected.
new-host-email-default = The service's host
new-bad-email = That does not look like an e-mail address. Type it in full, for example <code>ivanov@school.ru</code>.
new-ask-options = Meeting settings. Tap to change, then "Done".
new-option-live-stream = Live stream
new-option-waiting-public = Waiting room: none, everyone joins
new-option-waiting-organization = Waiting room: for guests outside the organisation
new-option-waiting-admins = Waiting room: for everyone but the organisers
new-option-zoom-meeting = Type: meeting
new-option-zoom-webinar = Type: webinar (paid plan needed)
new-ask-reminders = When should listeners be reminded? You can pick several.
new-ask-audience = Whom to invite? Tick listener groups and/or an invitation link to this class.
new-ask-audience-no-groups = Whom to invite? You have no listener groups yet (/groups), but you can make an invitation link to this class.
new-audience-link = Invitation link
new-audience-empty = Tick at least one group or the invitation link.
new-skip = Skip
new-done = Done ✔
new-back = ◀ Back
new-cancel = ✖ Cancel
new-use-buttons = Please choose with a button under the message above. /cancel stops creating.
new-send-text = Please answer with text. /cancel stops creating.
new-summary =
    <b>Check the class</b>
    Title: { $title }
    Service: { $provider }
    Start: { $when }
    Duration: { $duration }
    Repeat: { $repeat }
    Description: { $description }
    Host: { $host }
    Reminders: { $reminders }
    Listeners: { $audience }
new-summary-no-reminders = no reminders
new-summary-missed = { $count ->
    [one] ⚠️ This reminder will not be sent, its time has already passed for this start: { $reminders }.
   *[other] ⚠️ These reminders will not be sent, their time has already passed for this start: { $reminders }.
}
new-summary-missed-first = { $count ->
    [one] ⚠️ This reminder will not reach the first class, its time has already passed (the later classes get it): { $reminders }.
   *[other] ⚠️ These reminders will not reach the first class, their time has already passed (the later classes get them): { $reminders }.
}
new-drop-missed = Drop the reminders that cannot be sent
reminders-missed-legend = ⌛ — the reminder is chosen, but its time has already passed: it will not be sent.
new-edit-title = Title
new-edit-provider = Service
new-edit-date = Date
new-edit-time = Time
new-edit-duration = Duration
new-edit-description = Description
new-edit-host = Host
new-edit-options = Settings
new-edit-reminders = Reminders
new-edit-audience = Listeners
new-confirm = ✅ Create the class
new-creating = Creating the meeting on { $service }…
new-created = ✅ The class is created; invitations are on their way.
new-provider-failed =
    The meeting could not be created: { $reason }
    The class is saved as a draft: once the cause is fixed, press "Retry".
new-failed-internal = an internal error of the bot. Please try again a little later.

## Reminder choices
reminder-label-0m = At the start
reminder-label-15m = 15 minutes before
reminder-label-1h = 1 hour before
reminder-label-1d = 1 day before
reminder-label-2d = 2 days before
reminder-label-3d = 3 days before
reminder-label-4d = 4 days before

## Months
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## /events
events-none = You have no upcoming classes. Create one: /new
events-heading = { $count ->
    [one] { $count } upcoming class
   *[other] { $count } upcoming classes
} (page { $page } of { $pages }). Choose one:
events-listener-none = You have no upcoming classes. When a teacher invites you, I will send the invitation.
events-listener-heading = <b>Your upcoming classes</b>
events-back-to-list = ◀ Back to classes

## The teacher's card
event-card-provider = 🎥 Service: { $provider }
event-status-line-draft = 📝 Status: draft (no meeting yet)
event-status-line-planned = 🟢 Status: planned
event-status-line-cancelled = ❌ Status: cancelled
event-status-line-finished = ⚪ Status: finished
event-status-draft = draft
event-card-join = 🔗 Listeners' link: { $url }
event-card-host-link = 🎙 Host link: { $url }
event-card-no-link = 🔗 There is no meeting link now: make a new one when you need it.
event-card-listeners = { $count ->
    [one] 👥 { $count } recipient
   *[other] 👥 { $count } recipients
}; coming: { $yes }, not coming: { $no }
event-card-delivery = 📬 Delivered: { $sent }, queued: { $pending }, not delivered: { $failed }
event-card-reminders-late = { $minutes ->
    [one] ⚠️ Reminders will reach the last listeners { $minutes } minute late: too many messages are due at that time.
   *[other] ⚠️ Reminders will reach the last listeners { $minutes } minutes late: too many messages are due at that time.
}
event-card-service-keeps-link = ℹ️ { $service } keeps only the meeting link: the title and time live in the bot's messages.
event-card-last-error = ⚠️ Last error: { $error }
event-edit = ✏️ Edit
event-new-link = 🔄 New link
event-remove-link = 🗑 Remove the link
event-cancel = ❌ Cancel the class
event-copy = 📋 Copy to another date
event-answers = 🙋 Listeners' answers
event-missed = 📭 Who did not get it
event-invite-link = 🔗 New invitation link
event-invite-revoke = 🚫 Revoke the invitation link
event-invite-expiry-ask = How long should the new invitation link work? The class's earlier links stop working.
event-invite-expiry = { $days ->
        [0] No expiry
        [one] { $days } day
       *[other] { $days } days
    }
event-invite-revoked = { $count ->
        [0] There was no working invitation link.
        [one] { $count } invitation link revoked: nobody can join by it any more.
       *[other] { $count } invitation links revoked: nobody can join by them any more.
    }
event-retry = 🔁 Retry
event-delete-draft = 🗑 Delete the draft
event-not-yours = This class is not available to you: another teacher runs it, or your rights have changed.
event-action-outdated = That action no longer fits the class. Here is its current state:

## Editing
event-edit-what = "{ $title }": what should change? Reminders are switched on and off right here.
event-edit-title = Title
event-edit-description = Description
event-edit-when = Date and time
event-edit-duration = Duration
event-back-to-card = ◀ Back to the class
event-ask-title = The new title:
event-ask-description = The new description (or "-" to remove it):
event-ask-when = The new start date and time, for example <code>25.12 18:30</code> or <code>tomorrow 18:00</code>:
event-ask-duration = The new duration in minutes (<code>90</code>) or hours and minutes (<code>1:30</code>):
event-ask-copy = To what date and time should the class be copied? For example <code>01.12 18:00</code>:
event-send-text = Please answer with text. "Back" under the question or /cancel changes nothing.
event-when-needs-time = Give both the date and the time, for example <code>25.12 18:30</code>.
event-prompt-back = ◀ Back, change nothing
event-saved = Saved.
event-saved-notified = ✅ Saved. Listeners got a notice and their invitations are updated.
event-saved-provider-refused = The change is saved in the bot, but the video service did not accept it: { $reason }
event-provider-refused = The video service did not do it: { $reason }
event-new-link-done = ✅ A new link is made; listeners got a notice.
event-link-removed = The link is removed; listeners got a notice.
event-cancel-ask = Cancel "{ $title }"? { $service ->
    [jitsi] A Jitsi Meet room needs no deleting: it exists only while someone is in it.
    [external] The meeting was made in another service: cancel it there.
    [kontur] The Kontur.Talk calendar event is cancelled; the room itself cannot be deleted through the API.
    [none] The class has no meeting yet.
   *[other] The meeting is deleted on the service.
} { $count ->
    [one] { $count } recipient is told.
   *[other] { $count } recipients are told.
}
event-cancel-yes = Yes, cancel
event-cancel-no = No
event-cancelled = The class is cancelled; listeners got a notice.
event-draft-deleted = The draft is deleted.
event-answers-text =
    <b>Answers: { $title }</b>
    ✅ Coming ({ $yes }): { $yes_names }
    ❌ Not coming ({ $no }): { $no_names }
    ❔ No answer ({ $silent }): { $silent_names }
event-nudge = 🙋 Remind those who did not answer
event-nudged = { $count ->
    [one] A reminder to answer goes to { $count } listener.
   *[other] A reminder to answer goes to { $count } listeners.
}
event-missed-none = Everyone it was sent to got the invitation.
event-missed-heading = { $count ->
    [one] { $count } recipient did not get the invitation:
   *[other] { $count } recipients did not get the invitation:
}
event-missed-group-chat = a group chat
event-missed-blocked = blocked the bot
event-invite-link-text = { $until ->
        [none] The invitation link to this class, with no expiry: { $link }
       *[other] The invitation link to this class, valid until { $until }: { $link }
    }
    Keep it: I store only a fingerprint of it and cannot show it again.
    Whoever opens it becomes a listener of this class only.

## Repeating classes
new-ask-repeat = Does the class repeat?
new-repeat-once = Once only
new-repeat-weekly = Every week
new-repeat-fortnightly = Every 2 weeks
new-repeat-daily = Every day
new-ask-repeat-days = On which weekdays? Tick them and press "Done".
new-ask-repeat-end = How many classes in all (2 to 50), or until what date? For example: <code>10</code> or <code>31.05.2027</code>.
new-edit-repeat = Repeat
new-repeat-none = does not repeat
err-repeat-no-weekday = Tick at least one weekday.
err-repeat-count = A series has 2 to 50 classes: Zoom makes no more. Type a number, for example <code>10</code>, or an end date.
err-repeat-until = The end date is before the first class. Type a later date or a number of classes.
repeat-every-1 = every Monday
repeat-every-2 = every Tuesday
repeat-every-3 = every Wednesday
repeat-every-4 = every Thursday
repeat-every-5 = every Friday
repeat-every-6 = every Saturday
repeat-every-7 = every Sunday
repeat-on-1 = Mondays
repeat-on-2 = Tuesdays
repeat-on-3 = Wednesdays
repeat-on-4 = Thursdays
repeat-on-5 = Fridays
repeat-on-6 = Saturdays
repeat-on-7 = Sundays
repeat-on-days = on { $days }
repeat-weeks = { $n ->
    [1] every week
   *[other] every { $n } weeks
}
repeat-daily = { $n ->
    [1] every day
   *[other] every { $n } days
}
repeat-at = { $rule } at { $time }
repeat-count = { $n ->
    [one] { $n } class
   *[other] { $n } classes
}
repeat-until = until { $date }
event-card-series = 🔁 { $rule }; class { $number } of { $total }
event-cancel-series = ❌ Cancel the whole series
event-cancel-series-ask = Cancel the whole series "{ $title }"? { $service ->
    [jitsi] The Jitsi Meet room needs no deleting;
    [external] Cancel the meeting in its own service;
    [kontur] The current Kontur.Talk calendar event is cancelled;
    [none] The current class has no meeting;
   *[other] The current meeting is deleted on the service;
} listeners are told, and no further classes follow.
event-series-cancelled = The series is cancelled: listeners got a notice and no further classes will be made.

## Rights checked at every use (issue 14)
event-provider-not-usable = this video service is no longer open to you. Ask an administrator for access, or make the class on another service.
event-copy-provider-not-usable = This class cannot be copied: its video service is not open to you. Make a new class with /new on a service you may use.
