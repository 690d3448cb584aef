## /api: the learning platform's API tokens (administrators)
api-not-allowed = Токены API выпускают только администраторы.
api-private-only = Управлять токенами API можно только в личном чате со мной.
api-title = { $n ->
    [0] <b>Токены API</b>: пока ни одного. СДО обращается к боту по токену — выпустите его кнопкой ниже.
    [one] <b>Токены API</b>: { $n } действующий токен.
    [few] <b>Токены API</b>: { $n } действующих токена.
   *[many] <b>Токены API</b>: { $n } действующих токенов.
}
api-scope-events = Занятия и группы (всё)
api-scope-groups = Группы и привязка аккаунтов
api-scope-read = Только чтение
api-last-used = последнее обращение { $date }
api-never-used = ещё не использовался
api-button-new = ➕ Выпустить токен
api-button-revoke = Отозвать: { $name }
api-button-revoke-yes = Да, отозвать
api-button-revoke-no = Нет
api-button-list = К списку токенов
api-ask-name = Как назвать токен? Например: «СДО, основной сервер». Название видно только администраторам. /cancel — отменить.
api-name-invalid = Название — одна строка от 1 до { $max } символов. Попробуйте ещё раз или /cancel.
api-ask-scope = Что будет разрешено токену «{ $name }»?
api-use-buttons = Выберите вариант кнопкой под вопросом или отмените командой /cancel.
api-created =
    Токен «{ $name }» выпущен ({ $scope }):

    <code>{ $token }</code>

    Скопируйте его сейчас: я показываю токен только один раз и сам его не храню. Передавайте его в заголовке <code>Authorization: Bearer …</code>.
api-revoke-ask = Отозвать токен «{ $name }»? Запросы с ним сразу перестанут приниматься.
api-revoked = Токен «{ $name }» отозван.
api-already-revoked = Этот токен уже отозван.

## Signed links from the learning platform (/start)
api-link-done = Готово: ваш аккаунт в Telegram связан с учётной записью в СДО. Занятия ваших групп будут приходить сюда.
api-link-expired = Срок действия этой ссылки истёк. Получите новую ссылку в СДО — она работает ограниченное время.
api-link-invalid = Эта ссылка недействительна: возможно, её скопировали не полностью. Откройте ссылку из СДО ещё раз.
