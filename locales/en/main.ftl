## Command menu
cmd-start = Start and see what I can do
cmd-help = What I can do
cmd-events = My classes
cmd-new = Create a class (for teachers)
cmd-providers = Video services (providers)
cmd-teachers = Teachers (for administrators)
cmd-api = API tokens for the learning platform (for administrators)
cmd-lang = Language
cmd-tz = Time zone
cmd-groups = Listener groups (for teachers)
cmd-settings = Settings: language, time zone, name, organisation
cmd-leave = Leave a group or a class
cmd-cancel = Cancel the current action

## Greeting and help
start-greeting = Hello, { $name }! I help run online classes: I send you the meeting link, remind you before it starts and tell you about any changes.
start-link-invalid = This invitation link is not valid: it may have been revoked or it has expired. Please ask your teacher for a new one.
help-everyone =
    <b>What I can do</b>
    /events — your upcoming classes with their Join buttons
    /settings — language, time zone, your name and organisation
    /leave — leave a group or a class
    /lang — choose the language
    /tz — choose your time zone: I show class times in it
    /cancel — cancel the current action
    /help — this help
help-teacher =
    <b>For teachers</b>
    You can run classes: I create the meeting on the video service, send the invitations to listeners and remind them before the start.
    /new — create a class: the meeting, the time, reminders, listeners
    /events — your classes: edit, move, new link, cancel, listeners' answers
    /providers — your video services: connect, check, replace a key
    /groups — listener groups: invite links, members, group chats
help-admin =
    <b>For administrators</b>
    You are an administrator: you connect video services (Yandex Telemost, Zoom, Kontur.Talk, MTS Link, Jitsi) and invite teachers.
    /providers — all providers: connect a shared one or assign one to a host
    /teachers — invite a teacher, the list, revoke rights
    /api — API tokens for the learning platform: create, list, revoke

## Cancel and the unexpected
cancel-done = Cancelled. Anything else? /help
cancel-nothing = There is nothing to cancel. The command list: /help
unknown-command = I don't know that command. The command list: /help
unknown-input = I didn't understand that message. Pick an action from the command list: /help
button-stale = This button is out of date. Open the section again with a command from the menu.
state-reset-apology = Sorry: after an update I could not continue our previous conversation and started it over. Please repeat your last command.
settings-private-only = This setting is personal: please write to me in a private chat.

## Language
lang-ask = Choose the language:
lang-set = Done: I speak English now.
lang-name-ru = Русский
lang-name-en = English

## Time zone
tz-ask =
    Your time zone is { $current }.
    Pick a new one with a button or type its name, for example <code>Europe/London</code> or <code>Asia/Novosibirsk</code>.
tz-invalid = I don't know that time zone. Pick one with a button or type its name as "Region/City", for example <code>Europe/Moscow</code>. /cancel keeps the current one.
tz-set = Time zone saved: { $zone }. Your time now is { $time }.
tz-europe-kaliningrad = Kaliningrad
tz-europe-moscow = Moscow
tz-europe-samara = Samara
tz-asia-yekaterinburg = Yekaterinburg
tz-asia-omsk = Omsk
tz-asia-krasnoyarsk = Krasnoyarsk
tz-asia-irkutsk = Irkutsk
tz-asia-yakutsk = Yakutsk
tz-asia-vladivostok = Vladivostok
tz-asia-magadan = Magadan
tz-asia-kamchatka = Kamchatka

## Units
unit-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
unit-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
unit-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
button-private-only = This button works only in a private chat with me: write to me directly.
button-not-yours = Not available: it was deleted, or it is not yours to manage.
