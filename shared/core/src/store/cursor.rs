//! Opaque pagination cursors: the key attributes of the last item a page
//! returned, as base64url JSON. Clients hand them back verbatim; a cursor
//! that does not decode is bad input, never a server error.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{IndexDef, Item, PK, SK};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub BTreeMap<String, String>);

#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this API issued")]
pub struct BadCursor;

impl Cursor {
    /// The key attributes a cursor of the table or `index` holds, in sorted order.
    pub fn attrs(index: Option<&IndexDef>) -> Vec<&str> {
        let mut attrs = vec![PK, SK];
        if let Some(index) = index {
            attrs.push(index.pk);
            attrs.extend(index.sk);
        }
        attrs.sort_unstable();
        attrs.dedup();
        attrs
    }

    /// The cursor that resumes after `item` in a query of the table or `index`.
    pub fn after(item: &Item, index: Option<&IndexDef>) -> Self {
        let keys = Self::attrs(index)
            .into_iter()
            .filter_map(|a| Some((a.to_owned(), item.get(a)?.as_str()?.to_owned())))
            .collect();
        Self(keys)
    }

    pub fn get(&self, attr: &str) -> Option<&str> {
        self.0.get(attr).map(String::as_str)
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self.0).expect("a string map serialises"))
    }

    pub fn decode(text: &str) -> Result<Self, BadCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| BadCursor)?;
        let keys: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| BadCursor)?;
        if !keys.contains_key(PK) || !keys.contains_key(SK) {
            return Err(BadCursor);
        }
        Ok(Self(keys))
    }
}
