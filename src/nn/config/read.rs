//! Field readers for [`super::TrainConfig`], and [`Loose`], the value
//! every config is first read into. Whatever the source (JSON, a JS object
//! through serde-wasm-bindgen), the config becomes the same `Loose` map
//! before the struct is read from it, so every door sees the same fields
//! (serde-wasm-bindgen alone reads only the known ones, and would let an
//! unknown field pass) and every message is worded here, the same for all.

use std::fmt;
use std::str::FromStr;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Any value of a config, as much as the fields and messages need of it
/// (public as [`super::ConfigValue`], for skins that read their own values).
#[derive(Clone, Debug, PartialEq)]
pub enum Loose {
    Int(i128),
    Float(f64),
    Text(String),
    Bool(bool),
    Null,
    List(Vec<Loose>),
    Object(Vec<(String, Loose)>),
}

impl fmt::Display for Loose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loose::Int(v) => write!(f, "{v}"),
            Loose::Float(v) => write!(f, "{v}"),
            Loose::Text(s) => write!(f, "{s:?}"),
            Loose::Bool(b) => write!(f, "{b}"),
            Loose::Null => f.write_str("null"),
            Loose::List(_) => f.write_str("an array"),
            Loose::Object(_) => f.write_str("an object"),
        }
    }
}

impl Loose {
    /// The value as a whole number, if it is one (3 and 3.0 alike).
    fn as_whole(&self) -> Option<i128> {
        match *self {
            Loose::Int(v) => Some(v),
            Loose::Float(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e30 => {
                Some(v as i128)
            }
            _ => None,
        }
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Int(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Loose>()? {
            items.push(item);
        }
        Ok(Loose::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Loose>()? {
            entries.push(entry);
        }
        Ok(Loose::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

/// A whole number from 0 to `T::LARGEST` (counts, the seed).
pub fn whole<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Count,
{
    let v = Loose::deserialize(d)?;
    v.as_whole()
        .filter(|w| (0..=i128::from(T::LARGEST)).contains(w))
        .and_then(|w| T::try_from(w).ok())
        .ok_or_else(|| {
            de::Error::custom(format!(
                "must be a whole number from 0 to {} (got {v})",
                T::LARGEST
            ))
        })
}

/// The integer types of the config's fields, each with the largest
/// value every door takes (the same natively and in wasm32).
pub trait Count: TryFrom<i128> {
    const LARGEST: u64;
}
impl Count for u32 {
    const LARGEST: u64 = u32::MAX as u64;
}
impl Count for usize {
    const LARGEST: u64 = u32::MAX as u64;
}
impl Count for u64 {
    /// The largest whole number a JS number holds exactly (2^53 − 1):
    /// a record's seed must go back to JS unchanged.
    const LARGEST: u64 = (1 << 53) - 1;
}

/// A finite number, as f32 (the value the run uses).
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    let v = Loose::deserialize(d)?;
    let x = match v {
        Loose::Int(i) => i as f64,
        Loose::Float(x) if x.is_finite() => x,
        _ => {
            return Err(de::Error::custom(format!(
                "must be a finite number (got {v})"
            )))
        }
    };
    let single = x as f32;
    if single.is_finite() {
        Ok(single)
    } else {
        Err(de::Error::custom(format!("is too large (got {x})")))
    }
}

/// A name (task, kind) as its `FromStr` reads it.
pub fn named<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = crate::error::Error>,
{
    match Loose::deserialize(d)? {
        Loose::Text(s) => s
            .parse()
            .map_err(|e: crate::error::Error| de::Error::custom(e.to_string())),
        v => Err(de::Error::custom(format!("must be a string (got {v})"))),
    }
}

/// The task: a `--task` name as `FromStr` reads it, or "photos", the task
/// of a record trained on the reader's own photos (read back from its
/// RUN.json; training it needs the photos: `Dataset::from_classes`).
pub fn task<'de, D: Deserializer<'de>>(d: D) -> Result<crate::nn::Task, D::Error> {
    match Loose::deserialize(d)? {
        Loose::Text(s) if s == crate::nn::Task::Photos.name() => Ok(crate::nn::Task::Photos),
        Loose::Text(s) => s
            .parse()
            .map_err(|e: crate::error::Error| de::Error::custom(e.to_string())),
        v => Err(de::Error::custom(format!("must be a string (got {v})"))),
    }
}

/// The three blocks' widths.
pub fn widths<'de, D: Deserializer<'de>>(d: D) -> Result<[usize; 3], D::Error> {
    let v = Loose::deserialize(d)?;
    let read = |items: &[Loose]| -> Option<[usize; 3]> {
        let mut out = [0usize; 3];
        if items.len() != 3 {
            return None;
        }
        for (slot, item) in out.iter_mut().zip(items) {
            *slot = usize::try_from(item.as_whole()?).ok()?;
        }
        Some(out)
    };
    match &v {
        Loose::List(items) => read(items),
        _ => None,
    }
    .ok_or_else(|| {
        de::Error::custom(format!(
            "must be an array of three whole numbers, the channels of the three blocks, such as [8, 16, 32] (got {})",
            match &v {
                Loose::List(items) => format!("{} values", items.len()),
                other => other.to_string(),
            }
        ))
    })
}

/// A `Loose` value read back as a source of values: how the struct is read
/// from the map every door produced.
impl<'de> Deserializer<'de> for Loose {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Loose::Int(v) => match (i64::try_from(v), u64::try_from(v)) {
                (Ok(i), _) => visitor.visit_i64(i),
                (_, Ok(u)) => visitor.visit_u64(u),
                _ => visitor.visit_f64(v as f64),
            },
            Loose::Float(v) => visitor.visit_f64(v),
            Loose::Text(s) => visitor.visit_string(s),
            Loose::Bool(b) => visitor.visit_bool(b),
            Loose::Null => visitor.visit_unit(),
            Loose::List(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Loose::Object(entries) => visitor.visit_map(MapDeserializer::new(entries.into_iter())),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl IntoDeserializer<'_, de::value::Error> for Loose {
    type Deserializer = Loose;
    fn into_deserializer(self) -> Loose {
        self
    }
}

/// Read any source into the map of fields a config is read from.
///
/// # Errors
/// A message when the source is not an object of settings.
pub(super) fn fields<'de, D: Deserializer<'de>>(source: D) -> Result<Vec<(String, Loose)>, String> {
    match Loose::deserialize(source).map_err(|e| e.to_string())? {
        Loose::Object(entries) => Ok(entries),
        other => Err(format!(
            "must be an object such as {{\"norm\": \"batch\", \"steps\": 200}} (got {other})"
        )),
    }
}
