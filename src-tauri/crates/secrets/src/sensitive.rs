//! A wrapper that keeps a secret out of logs and serialised output.

use std::fmt;

use zeroize::Zeroize;

/// A secret value. `Debug` shows `Sensitive(<redacted>)`; there is no `Display` and no
/// `Serialize`, so the only way to the value is [`Sensitive::expose`], which is easy to
/// grep for. The memory is zeroed when the value is dropped.
///
/// It does implement `Deserialize`, because secrets arrive from the UI as command arguments.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Call it only where the value is handed to its one consumer (the
    /// keychain, an HTTP header), never to format or log it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Sensitive::from("hunter2-very-secret");
        let shown = format!("{s:?} {s:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"));
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Login {
            user: String,
            password: Sensitive<String>,
        }
        let login = Login {
            user: "root@pam".into(),
            password: "hunter2-very-secret".into(),
        };
        let shown = format!("{login:?}");
        assert!(
            shown.contains("root@pam") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        let s: Sensitive<String> = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(s.expose(), "abc");
    }

    #[test]
    fn refuses_serialize() {
        // A compile-time check: if someone adds `impl Serialize for Sensitive`, this fails
        // to build, and with it every struct that embeds a secret becomes serialisable.
        static_assertions::assert_not_impl_any!(Sensitive<String>: serde::Serialize, std::fmt::Display);
        static_assertions::assert_not_impl_any!(Sensitive<Vec<u8>>: serde::Serialize, std::fmt::Display);
    }
}
