//! The counties of the city (`data/regions.toml`, GB/T 2260), embedded at build time.

use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Regions {
    /// The city (prefecture) code, e.g. 370800.
    pub city: String,
    pub city_name: String,
    pub regions: Vec<Region>,
}

impl Regions {
    /// The embedded `data/regions.toml`; an unreadable file is a build error caught by the tests.
    pub fn embedded() -> &'static Regions {
        static REGIONS: OnceLock<Regions> = OnceLock::new();
        REGIONS.get_or_init(|| {
            toml::from_str(include_str!("../../data/regions.toml")).unwrap_or_else(|_| Regions {
                city: String::new(),
                city_name: String::new(),
                regions: Vec::new(),
            })
        })
    }

    /// The county with that six-digit code.
    pub fn county(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }
}

/// 统筹地区: 济宁 pools at city level — the first four digits of a six-digit region code
/// (3708). Institution rules that speak of 统筹地区 (聊城 第三十三条) use these.
pub fn pooling_region(region_code: &str) -> &str {
    region_code.get(..4).unwrap_or(region_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counties_of_jining_are_embedded() {
        let r = Regions::embedded();
        assert_eq!(r.city, "370800");
        assert_eq!(r.county("370811").map(|c| c.name.as_str()), Some("任城区"));
        assert!(r.county("379999").is_none());
        assert!(r.county("3708").is_none());
    }
}
