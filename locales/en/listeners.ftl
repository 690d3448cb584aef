## Listener groups: /groups for teachers
groups-teachers-only = Listener groups are run by teachers. If you are a teacher, ask an administrator to give you the rights.
groups-not-found = This group was not found: it was deleted, or it belongs to another teacher.
groups-list = <b>Your listener groups</b> ({ $count })
groups-list-all = <b>All listener groups</b> ({ $count })
groups-list-empty = No groups yet. Create the first one: I will give you an invite link for listeners to join it.
groups-btn-group = { $name } · { $count }
groups-btn-new = ➕ Create a group
groups-ask-name = Send the group's name, for example "Group 15-PB" (up to 100 characters). /cancel to stop.
groups-ask-rename = Send a new name for the group "{ $name }" (up to 100 characters). /cancel to keep it.
groups-created = Group created.
groups-renamed = Group renamed.
groups-menu =
    <b>{ $name }</b>
    { $members ->
        [one] { $members } member
       *[other] { $members } members
    } · invite links: { $links } · linked chats: { $chats }
groups-btn-members = 👥 Members
groups-btn-links = 🔗 Invite links
groups-btn-chats = 💬 Group chats
groups-btn-rename = ✏️ Rename
groups-btn-delete = 🗑 Delete
groups-btn-back = ◀️ Back
groups-btn-back-list = ◀️ To the group list
groups-delete-confirm =
    Delete the group "{ $name }"? { $members ->
        [0] It has no members.
        [one] It has { $members } member.
       *[other] It has { $members } members.
    }
    Its invite links will stop working, its group chats will be unlinked, and its members will not get invitations to the group's future classes.
groups-btn-delete-yes = 🗑 Yes, delete
groups-deleted = Group "{ $name }" deleted.

## Members
groups-members-title = <b>{ $name }</b>: { $count ->
        [one] { $count } member
       *[other] { $count } members
    }
groups-members-empty = Nobody here yet. Send listeners the invite link.
groups-member = { $n }. <b>{ $name }</b>, joined { $joined }
groups-member-organisation = , { $organisation }
groups-member-username = , @{ $username }
groups-member-telegram-name = , on Telegram: { $telegram }
groups-member-blocked = , ⛔ blocked the bot: messages do not reach them
groups-btn-remove = ✖ { $n }
groups-btn-prev = ◀️ Previous
groups-btn-next = Next ▶️
groups-remove-confirm = Remove { $member } from the group "{ $name }"? They will no longer get invitations to the group's future classes.
groups-btn-remove-yes = ✖ Yes, remove
groups-member-removed = The member was removed from the group.
groups-member-gone = This person is no longer in the group.

## Invite links
groups-links-title = <b>{ $name }</b>: { $count ->
        [one] { $count } working invite link
       *[other] { $count } working invite links
    }
groups-link-forever = • no expiry, { $uses ->
        [0] nobody joined yet
        [one] { $uses } join
       *[other] { $uses } joins
    }
groups-link-until = • valid until { $until }, { $uses ->
        [0] nobody joined yet
        [one] { $uses } join
       *[other] { $uses } joins
    }
groups-links-hint = Whoever opens a link joins the group and gets invitations to its classes. Create a new link, or revoke the old ones if a link went to the wrong people.
groups-btn-link-expiry = { $days ->
        [0] ➕ Link without expiry
        [one] ➕ Link for { $days } day
       *[other] ➕ Link for { $days } days
    }
groups-btn-revoke = 🚫 Revoke all links
groups-link-created-url =
    The new link is ready: { $url }
    Keep it: I store only a fingerprint of it and cannot show it again.
groups-links-revoked = { $count ->
        [one] { $count } link revoked.
       *[other] { $count } links revoked.
    }

## Group chats
groups-chats-title = <b>{ $name }</b>: { $count ->
        [one] { $count } linked group chat
       *[other] { $count } linked group chats
    }
groups-chat-line = • { $title }
groups-chat-untitled = untitled chat
groups-chats-hint = If the group has a Telegram chat, I can post invitations there in one message instead of writing to each member. Add me to the chat and send the link command there.
groups-btn-chat-code = ➕ Link a chat
groups-btn-unlink = ✖ Unlink "{ $title }"
groups-chat-code =
    To link a chat to the group "{ $name }", add me to that chat and send this message there:
    <code>/link { $code }</code>
    It works once within a day, and only from you or an administrator.
groups-chat-unlinked = The chat was unlinked from the group.
groups-chat-gone = This chat is no longer linked to the group.

## /link in a group chat
link-in-group-only = Send /link in the group chat you want to link to a listener group. You get the command in /groups → a group → "Group chats".
link-usage = The code is missing: send the whole command as I gave it, for example <code>/link 8fK2…</code>.
link-invalid = This link code does not work: it was used, it expired, or it was mistyped. Get a new one in /groups → a group → "Group chats".
link-not-allowed = Only the group's teacher or an administrator can link a chat.
link-done = Done: this chat is linked to the group "{ $name }". Invitations to the group's classes will come here.

## Typed lines
listeners-need-text = Please send the text as one message. /cancel to stop.
listeners-not-a-command = That looks like a command, but I am waiting for text. Send it again, or /cancel to stop.
listeners-err-empty = The text is empty. Please send it again.
listeners-err-too-long = Too long: { $actual } characters, at most { $max } allowed. Please shorten it.
listeners-err-email = That does not look like an e-mail address. Please write it like this: ivan.petrov@school.ru
listeners-err-control = Please write it on one line, without line breaks or special characters.

## Joining by link
join-group-done = You joined the group "{ $name }". I will send you invitations to its classes and remind you when they start.
join-group-already = You are already in the group "{ $name }". Nothing to do: invitations will come here.
join-event-done = You are signed up for the class "{ $title }". The invitation and reminders will come here.
join-event-already = You are already signed up for the class "{ $title }".

## Profile: full name and organisation
profile-ask-full-name-first = How should the teacher's list of listeners show you? Send your full name, so the teacher knows you even if your Telegram name is a nickname. You may skip this.
profile-ask-organisation-first = Which organisation are you from? You may skip this too.
profile-btn-skip = Skip
profile-thanks = Thank you! You can change your name, organisation, language and time zone in /settings.
profile-ask-full-name = Send your full name (up to 150 characters). /cancel to keep it as it is.
profile-ask-organisation = Send your organisation's name (up to 200 characters). /cancel to keep it as it is.
profile-full-name-saved = Full name saved: { $value }.
profile-organisation-saved = Organisation saved: { $value }.
profile-unset-full-name = not set
profile-unset-organisation = not set
profile-settings =
    <b>Settings</b>
    Language: { $language }
    Time zone: { $zone }
    Full name: { $full_name }
    Organisation: { $organisation }
    E-mail: { $email }
profile-btn-language = 🌐 Language
profile-btn-timezone = 🕒 Time zone
profile-btn-full-name = ✏️ Full name
profile-btn-organisation = 🏢 Organisation

## /leave
leave-nothing = You are in no group and signed up for no class by link.
leave-ask = What do you want to leave?
leave-btn-group = 👥 { $name }
leave-btn-event = 📅 { $title }
leave-btn-stay = Stay
leave-btn-yes = Yes, leave
leave-stayed = All right, nothing changed.
leave-not-member = You are no longer a member: there is nothing to leave.
leave-group-confirm = Leave the group "{ $name }"? Invitations to its classes will stop.
leave-group-done = You left the group "{ $name }".
leave-event-confirm = Leave the class "{ $title }"? Its reminders will stop.
leave-event-done = You are no longer signed up for the class "{ $title }".
link-taken = This chat is already linked to a group of another teacher, { $owner }. It cannot be moved: { $owner } must unlink it first in /groups → the group → "Group chats".
profile-ask-email = Write the e-mail address you sign in to Zoom or Kontur.Talk with: the service's report recognises you by it. The bot sends no mail. /cancel keeps it as it is.
profile-email-saved = Address saved: { $value }.
profile-unset-email = not set
profile-btn-email = ✉️ E-mail
