/**
 * How a browser names itself in local mode, where there are no accounts: the display name rides on
 * every HTTP request as a header and on the collaboration socket as a query parameter. The server
 * derives a stable user id from it, so two browsers with different names are two participants
 * (their prompts, cursors and undo histories stay apart).
 */
export const LOCAL_NAME_HEADER = 'x-maskroom-name';
export const LOCAL_NAME_PARAM = 'name';
