"""Raw Bot API update dicts, as Telegram sends them (feed to `Update.de_json` or the fake server).

Defaults describe one person in a private chat whose Telegram app is in Dutch. A text that
starts with "/" gets its bot_command entity, and "@<bot>" its mention entity, like the real API.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

from tests.fakes import BOT_USER, BOT_USERNAME

USER_ID = 1001
GROUP_ID = -100_500
_ids = itertools.count(1)
_message_ids = itertools.count(100)


def user(user_id: int = USER_ID, lang: str | None = "nl", name: str = "Ann") -> dict[str, Any]:
    person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
    if lang:
        person["language_code"] = lang
    return person


def chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Ann"}
    return {"id": chat_id, "type": "supergroup", "title": "Leerkrachten 3B"}


def _entities(text: str) -> list[dict[str, Any]]:
    found = []
    command = re.match(r"/\w+(@\w+)?", text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for mention in re.finditer(r"@\w+", text):
        if not (command and mention.start() < command.end()):
            found.append({"type": "mention", "offset": mention.start(), "length": len(mention[0])})
    return found


def _base(chat_id: int, user_id: int, lang: str | None) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": user(user_id, lang),
    }


def update(**content: Any) -> dict[str, Any]:
    return {"update_id": next(_ids), **content}


def message(
    text: str,
    chat_id: int | None = None,
    user_id: int = USER_ID,
    lang: str | None = "nl",
    reply_to_bot: bool = False,
) -> dict[str, Any]:
    """A text message (a command when it starts with "/")."""
    body = _base(user_id if chat_id is None else chat_id, user_id, lang)
    body["text"] = text
    entities = _entities(text)
    if entities:
        body["entities"] = entities
    if reply_to_bot:
        body["reply_to_message"] = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": body["chat"],
            "from": BOT_USER,
            "text": "earlier answer",
        }
    return update(message=body)


def group_message(
    text: str, mention: bool = False, user_id: int = USER_ID, reply_to_bot: bool = False
) -> dict[str, Any]:
    """A message in a group; with `mention`, it addresses the bot as "@<bot> …"."""
    full = f"@{BOT_USERNAME} {text}" if mention else text
    return message(full, chat_id=GROUP_ID, user_id=user_id, reply_to_bot=reply_to_bot)


def callback(
    data: str,
    user_id: int = USER_ID,
    chat_id: int | None = None,
    lang: str | None = "nl",
    message_id: int = 4242,
    message_text: str = "earlier message",
) -> dict[str, Any]:
    """A press on an inline button under one of the bot's messages."""
    where = user_id if chat_id is None else chat_id
    return update(
        callback_query={
            "id": str(next(_ids)),
            "from": user(user_id, lang),
            "chat_instance": "ci-1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat(where),
                "from": BOT_USER,
                "text": message_text,
            },
        }
    )


def inline_query(query: str, user_id: int = USER_ID, lang: str | None = "nl") -> dict[str, Any]:
    return update(
        inline_query={
            "id": str(next(_ids)),
            "from": user(user_id, lang),
            "query": query,
            "offset": "",
        }
    )


def location(
    chat_id: int | None = None, user_id: int = USER_ID, lang: str = "nl"
) -> dict[str, Any]:
    body = _base(user_id if chat_id is None else chat_id, user_id, lang)
    body["location"] = {"latitude": 51.0543, "longitude": 3.7174}
    return update(message=body)


def photo(user_id: int = USER_ID, lang: str = "nl") -> dict[str, Any]:
    body = _base(user_id, user_id, lang)
    body["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    return update(message=body)


def sticker(user_id: int = USER_ID, lang: str = "nl") -> dict[str, Any]:
    body = _base(user_id, user_id, lang)
    body["sticker"] = {
        "file_id": "s1", "file_unique_id": "su1", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False,
    }  # fmt: skip
    return update(message=body)


def voice(user_id: int = USER_ID, lang: str = "nl") -> dict[str, Any]:
    body = _base(user_id, user_id, lang)
    body["voice"] = {"file_id": "v1", "file_unique_id": "vu1", "duration": 3}
    return update(message=body)


def document(user_id: int = USER_ID, lang: str = "nl") -> dict[str, Any]:
    body = _base(user_id, user_id, lang)
    body["document"] = {"file_id": "d1", "file_unique_id": "du1", "file_name": "notes.pdf"}
    return update(message=body)


def video(user_id: int = USER_ID, lang: str = "nl") -> dict[str, Any]:
    body = _base(user_id, user_id, lang)
    body["video"] = {
        "file_id": "vi1", "file_unique_id": "viu1", "width": 10, "height": 10, "duration": 1
    }  # fmt: skip
    return update(message=body)
