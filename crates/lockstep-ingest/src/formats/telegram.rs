//! Telegram Desktop's JSON export (`result.json`): one JSON document, either
//! one chat (`name`, `type`, `id`, `messages`) or a whole account (`chats.list[]`
//! and `left_chats.list[]`, each a chat with its `messages`). Each element of a
//! `messages` array is one record; its record number is its 1-based position
//! among all the messages of the file, and every diagnostic names the message
//! (`message id 42 (chat 1234, messages[3])`).
//!
//! The document is streamed: a serde visitor walks the top-level object and
//! the `messages` arrays, and each message is taken as a raw JSON value and
//! parsed on its own, so memory stays that of one message (a type error in one
//! message is a diagnostic for that message only). A JSON syntax error (a cut
//! or corrupted file) cannot be resynchronised: it is counted as one bad record
//! naming the last good message, and the read stops there.
//!
//! | post part | from |
//! | --- | --- |
//! | account | `from_id` (`user123`, `channel123`: stable), else `from` (a display name) |
//! | post id | `{chat id}/{message id}` (message ids are numbered per chat) |
//! | time | `date_unixtime` (UNIX seconds as a string); a message with only `date` (local time of the exporting computer, zone not recorded) is `bad_timestamp` |
//! | urls | `text_entities` of type `link` (their text) and `text_link` (their `href`) |
//! | hashtags | `text_entities` of type `hashtag` |
//! | mentions | `text_entities` of type `mention` (`@name`), and `mention_name` as `user{user_id}` |
//! | repost | `forwarded_from_id`, else `forwarded_from`: the **source account** of a forward (the export does not record which of its messages was forwarded) |
//! | reply | `{chat id}/{reply_to_message_id}` |
//! | text | the text (`text_entities` concatenated, else `text`: a string or an array of strings and entity objects) |
//! | quote, media | none (`photo` and `file` are paths inside the export, not content hashes) |
//!
//! When `text_entities` is absent (older exports), the entity objects inside a
//! `text` array are used instead. `type = service` messages (joins, pins, …) are
//! `not_a_post`.

use super::Reader;
use crate::sink::{reason, Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::{Error, Result};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// Telegram Desktop JSON export reader.
pub(crate) struct TelegramReader;

const NAMES: PostNames = PostNames { account: "from_id", id: "id", time: "date_unixtime" };

impl Reader for TelegramReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        let Source { info, reader, .. } = src;
        let mut st =
            State { sink, chat: Chat::default(), position: 0, last_id: String::new(), found: false, failure: None };
        // serde_json reads byte by byte: a concrete `BufReader` serves those
        // reads from its buffer (std specialises `Bytes` for it) instead of a
        // virtual call per byte into the boxed source.
        let mut buffered = std::io::BufReader::with_capacity(1 << 16, reader);
        skip_bom(&mut buffered).map_err(|e| info.read_error(0, e))?;
        let mut de = serde_json::Deserializer::from_reader(buffered);
        let res = Node { st: &mut st }.deserialize(&mut de).and_then(|()| de.end());
        st.sink.context_mut().clear();
        if let Some(e) = st.failure.take() {
            return Err(e);
        }
        if let Err(e) = res {
            if e.is_io() {
                return Err(info.read_error(e.line() as u64, e.into()));
            }
            let at = match st.last_id.as_str() {
                "" => "before the first message".to_string(),
                id => format!("after message id {id} (chat {})", st.chat.id),
            };
            let what = if e.is_eof() { "the input ends" } else { "malformed JSON" };
            let detail = format!("{what} {at}: {e}; nothing after this point is read");
            st.sink.reject(st.position + 1, reason::BAD_JSON, detail)?;
            return Ok(());
        }
        if !st.found {
            return Err(Error::Empty {
                file: info.name,
                what: "no `messages` array (nor `chats.list[].messages`) of a Telegram export",
            });
        }
        Ok(())
    }
}

/// Consumes a UTF-8 byte order mark at the start, if there is one (Windows
/// tools write one; JSON parsers refuse it).
fn skip_bom(r: &mut impl std::io::BufRead) -> std::io::Result<()> {
    let mut seen = 0;
    while seen < 3 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        let n = (3 - seen).min(buf.len());
        if buf[..n] != b"\xef\xbb\xbf"[seen..seen + n] {
            // Not a BOM. Only a prefix of one could have been consumed, and a
            // JSON document cannot start with those bytes: it is refused as before.
            return Ok(());
        }
        r.consume(n);
        seen += n;
    }
    Ok(())
}

/// The chat whose messages are being read.
#[derive(Default)]
struct Chat {
    /// Its `id` (empty until seen).
    id: String,
    /// Index of the next message in its `messages` array.
    index: u64,
}

struct State<'s, 'a> {
    sink: &'s mut Sink<'a>,
    chat: Chat,
    /// Messages seen in the file so far (the record number of the last one).
    position: u64,
    /// The id of the last message read, for a syntax error after it.
    last_id: String,
    /// A `messages` array was seen.
    found: bool,
    /// The sink's error (strict mode), returned once serde has unwound.
    failure: Option<Error>,
}

/// An object of the document: the root, a chat, or a `chats` container.
struct Node<'x, 's, 'a> {
    st: &'x mut State<'s, 'a>,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Telegram export object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "id" => {
                    let id = map.next_value::<Option<Scalar<'_>>>()?;
                    self.st.chat.id.clear();
                    if let Some(id) = id {
                        id.write_to(&mut self.st.chat.id);
                    }
                }
                "messages" => {
                    self.st.found = true;
                    self.st.chat.index = 0;
                    map.next_value_seed(Messages { st: &mut *self.st })?;
                }
                "chats" | "left_chats" => map.next_value_seed(Node { st: &mut *self.st })?,
                "list" => map.next_value_seed(ChatList { st: &mut *self.st })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `chats.list`: an array of chats.
struct ChatList<'x, 's, 'a> {
    st: &'x mut State<'s, 'a>,
}

impl<'de> DeserializeSeed<'de> for ChatList<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ChatList<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of Telegram chats")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        loop {
            self.st.chat = Chat::default();
            if seq.next_element_seed(Node { st: &mut *self.st })?.is_none() {
                return Ok(());
            }
        }
    }
}

/// A `messages` array.
struct Messages<'x, 's, 'a> {
    st: &'x mut State<'s, 'a>,
}

impl<'de> DeserializeSeed<'de> for Messages<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Messages<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Telegram messages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut bufs = Bufs::default();
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            let st = &mut *self.st;
            st.position += 1;
            st.chat.index += 1;
            if let Err(e) = message(st, &mut bufs, raw.get()) {
                st.failure = Some(e);
                return Err(de::Error::custom("stopped at a bad record (strict mode)"));
            }
        }
        Ok(())
    }
}

/// Buffers reused across messages.
#[derive(Default)]
struct Bufs {
    post_id: String,
    reply: String,
    text: String,
    mentions: Vec<String>,
}

/// One message: checked, then handed to the sink as a post (or rejected).
fn message(st: &mut State<'_, '_>, bufs: &mut Bufs, raw: &str) -> Result<()> {
    let pos = st.position;
    let m = match serde_json::from_str::<Message<'_>>(raw) {
        Ok(m) => m,
        Err(e) => {
            let id = serde_json::from_str::<IdOnly<'_>>(raw).ok().and_then(|i| i.id);
            set_context(st, id.as_ref());
            // serde's position is within the message's own text.
            let msg = e.to_string();
            let msg = msg.rsplit_once(" at line ").map_or(msg.as_str(), |(m, _)| m);
            let detail = format!("not a Telegram message: {msg} (line {} of the message)", e.line());
            return st.sink.reject(pos, reason::BAD_JSON, detail);
        }
    };
    set_context(st, m.id.as_ref());
    match m.kind.as_ref().map(Scalar::as_str) {
        Some(Some("message")) | None => {}
        Some(Some("service")) => {
            let action = m.action.as_ref().and_then(Scalar::as_str).unwrap_or("none");
            return st.sink.reject(pos, reason::NOT_A_POST, format!("a service message (action `{action}`)"));
        }
        Some(other) => {
            let t = other.unwrap_or("not a string");
            return st.sink.reject(pos, reason::NOT_A_POST, format!("`type` is `{t}`, not `message`"));
        }
    }
    let time = match (&m.date_unixtime, &m.date) {
        (Some(t), _) => t.field(),
        (None, Some(d)) => {
            let d = d.as_str().unwrap_or("?");
            return st.sink.reject(
                pos,
                reason::BAD_TIMESTAMP,
                format!(
                    "no `date_unixtime`; `date` ({d}) is the local time of the computer that made the export, \
                     whose zone the export does not record"
                ),
            );
        }
        (None, None) => Field::Missing,
    };
    let account = m.from_id.as_ref().or(m.from.as_ref()).map_or(Field::Missing, Scalar::field);
    let id = match &m.id {
        Some(id) => {
            bufs.post_id.clear();
            if !st.chat.id.is_empty() {
                bufs.post_id.push_str(&st.chat.id);
                bufs.post_id.push('/');
            }
            id.write_to(&mut bufs.post_id);
            Field::Str(&bufs.post_id)
        }
        None => Field::Missing,
    };
    let reply_to = m.reply_to_message_id.as_ref().map(|r| {
        bufs.reply.clear();
        if !st.chat.id.is_empty() {
            bufs.reply.push_str(&st.chat.id);
            bufs.reply.push('/');
        }
        r.write_to(&mut bufs.reply);
        bufs.reply.as_str()
    });
    let repost_of = m.forwarded_from_id.as_ref().or(m.forwarded_from.as_ref()).and_then(Scalar::as_str);

    // Entities: `text_entities`, else the entity objects of a `text` array.
    let parts: Vec<Part<'_>> = match (&m.text_entities, &m.text) {
        (Some(ents), _) => ents.iter().map(Part::Entity).collect(),
        (None, Some(Text::Parts(parts))) => parts.iter().map(Part::from).collect(),
        (None, Some(Text::Str(s))) => vec![Part::Plain(s)],
        (None, _) => Vec::new(),
    };
    bufs.text.clear();
    bufs.mentions.clear();
    let mut urls = Vec::new();
    let mut hashtags = Vec::new();
    for p in &parts {
        match p {
            Part::Plain(s) => bufs.text.push_str(s),
            Part::Entity(e) => {
                let text = e.text.as_deref().unwrap_or_default();
                bufs.text.push_str(text);
                match e.kind.as_deref().unwrap_or_default() {
                    "link" => urls.push(text),
                    "text_link" => urls.extend(e.href.as_deref()),
                    "hashtag" => hashtags.push(text),
                    "mention" => bufs.mentions.push(text.to_string()),
                    "mention_name" => {
                        if let Some(uid) = &e.user_id {
                            let mut s = String::from("user");
                            uid.write_to(&mut s);
                            bufs.mentions.push(s);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let post = PostFields {
        account,
        id,
        time,
        urls,
        hashtags,
        mentions: bufs.mentions.iter().map(String::as_str).collect(),
        repost_of,
        reply_to,
        text: Some(&bufs.text),
        ..PostFields::default()
    };
    st.sink.accept_post(pos, &post, &NAMES)
}

/// Names the message in the diagnostics of the sink.
fn set_context(st: &mut State<'_, '_>, id: Option<&Scalar<'_>>) {
    st.last_id.clear();
    match id {
        Some(id) => id.write_to(&mut st.last_id),
        None => st.last_id.push('?'),
    }
    let ctx = st.sink.context_mut();
    ctx.clear();
    let _ = write!(ctx, "message id {} (chat {}, messages[{}])", st.last_id, st.chat.id, st.chat.index - 1);
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
    #[serde(borrow, rename = "type")]
    kind: Option<Scalar<'a>>,
    #[serde(borrow)]
    action: Option<Scalar<'a>>,
    #[serde(borrow)]
    date: Option<Scalar<'a>>,
    #[serde(borrow)]
    date_unixtime: Option<Scalar<'a>>,
    #[serde(borrow)]
    from: Option<Scalar<'a>>,
    #[serde(borrow)]
    from_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    forwarded_from: Option<Scalar<'a>>,
    #[serde(borrow)]
    forwarded_from_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    reply_to_message_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    text: Option<Text<'a>>,
    #[serde(borrow)]
    text_entities: Option<Vec<Entity<'a>>>,
}

/// Just the id, to name a message that does not parse as a whole.
#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct Entity<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    href: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_id: Option<Scalar<'a>>,
}

/// A piece of a message's text.
enum Part<'m> {
    Plain(&'m str),
    Entity(&'m Entity<'m>),
}

impl<'m> From<&'m TextPart<'m>> for Part<'m> {
    fn from(p: &'m TextPart<'m>) -> Self {
        match p {
            TextPart::Plain(s) => Part::Plain(s),
            TextPart::Entity(e) => Part::Entity(e),
        }
    }
}

/// `text`: a string, or an array of strings and entity objects.
enum Text<'a> {
    Str(Cow<'a, str>),
    Parts(Vec<TextPart<'a>>),
}

enum TextPart<'a> {
    Plain(Cow<'a, str>),
    Entity(Entity<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings and entities")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(Text::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Text::Str(Cow::Owned(v.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
                let mut parts = Vec::new();
                while let Some(p) = seq.next_element::<TextPart<'de>>()? {
                    parts.push(p);
                }
                Ok(Text::Parts(parts))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for TextPart<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TextPart<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an entity object")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(TextPart::Plain(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(TextPart::Plain(Cow::Owned(v.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
                Entity::deserialize(de::value::MapAccessDeserializer::new(map)).map(TextPart::Entity)
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON scalar as written (ids are numbers or strings, depending on the
/// field and the export's version); arrays, objects and booleans are kept as
/// what they are, for the diagnostic.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i128),
    Float(f64),
    Other(&'static str),
}

impl Scalar<'_> {
    fn field(&self) -> Field<'_> {
        match self {
            Scalar::Str(s) => Field::Str(s),
            Scalar::Int(i) => Field::Int(*i),
            Scalar::Float(f) => Field::Float(*f),
            Scalar::Other(what) => Field::Invalid(what),
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Scalar::Str(s) => out.push_str(s),
            Scalar::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Scalar::Float(f) => {
                let _ = write!(out, "{f}");
            }
            Scalar::Other(what) => {
                let _ = write!(out, "({what})");
            }
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(Scalar::Other("a boolean"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_and_text() {
        let m: Message<'_> = serde_json::from_str(
            r##"{"id": 7, "type": "message", "from_id": "user1", "date_unixtime": "1609869731",
                "text": ["Hi ", {"type": "hashtag", "text": "#a"}, " ", {"type": "text_link", "text": "x", "href": "https://e.org/"}],
                "reply_to_message_id": [1], "forwarded_from": true}"##,
        )
        .unwrap();
        assert!(matches!(m.id, Some(Scalar::Int(7))));
        assert!(matches!(m.reply_to_message_id, Some(Scalar::Other("an array"))));
        assert!(matches!(m.forwarded_from, Some(Scalar::Other("a boolean"))));
        let Some(Text::Parts(parts)) = &m.text else { panic!("parts") };
        assert_eq!(parts.len(), 4);
        assert!(matches!(&parts[3], TextPart::Entity(e) if e.href.as_deref() == Some("https://e.org/")));
    }
}
