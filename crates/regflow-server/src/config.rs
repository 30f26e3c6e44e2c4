//! The service's configuration: TOML (SPEC 11), then environment overrides.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! database = "sqlite://regflow.db"
//!
//! [[centres]]
//! id = "xining"
//! time_zone = "Asia/Shanghai"
//! closing_time = "18:00"
//! separation_of_duties = true
//!
//! [[webhooks]]
//! name = "dashboard"
//! url = "http://127.0.0.1:9000/alerts"
//! secret = "a long shared secret"
//!
//! [limits]
//! body_bytes = 262144
//! requests_per_minute = 600
//! request_timeout_secs = 30
//! token_cache_ms = 1000
//! ```
//!
//! `REGFLOW_LISTEN`, `REGFLOW_DATABASE_URL`, `REGFLOW_BODY_BYTES`,
//! `REGFLOW_REQUESTS_PER_MINUTE`, `REGFLOW_REQUEST_TIMEOUT_SECS` and
//! `REGFLOW_TOKEN_CACHE_MS` override the file.

use regflow_process::register::{RegisterSettings, Target};
use regflow_process::{Centre, CentreId, OfficeHours};
use serde::Deserialize;

/// What can be wrong with a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not TOML of the expected shape.
    #[error("configuration: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value is out of range or unreadable.
    #[error("configuration: {0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where to listen (default `127.0.0.1:8080`).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The database URL (the command line's `--database` wins).
    #[serde(default)]
    pub database: Option<String>,
    /// The centres served; a centre named only by a token gets the defaults.
    #[serde(default)]
    pub centres: Vec<CentreConfig>,
    /// Request limits.
    #[serde(default)]
    pub limits: Limits,
    /// Receivers of every alert, by POST.
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
    /// Set by `regflow serve --demo` (never from the file): the sign-in pages say where
    /// the demo's tokens are.
    #[serde(skip)]
    pub demo: bool,
}

/// A webhook: each alert (of `centre`, when given) is POSTed to `url` as JSON, signed with
/// HMAC-SHA256 under `secret` in the `X-Regflow-Signature` header, and retried with
/// back-off until the receiver answers 2xx.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// A name, unique among the webhooks: the queue remembers what it acknowledged by it.
    pub name: String,
    /// Where to POST.
    pub url: String,
    /// The signing secret.
    pub secret: String,
    /// Only this centre's alerts.
    #[serde(default)]
    pub centre: Option<String>,
    /// The first wait after a failure, doubled on each further one up to a minute.
    #[serde(default = "default_retry_ms")]
    pub retry_initial_ms: u64,
}

fn default_retry_ms() -> u64 {
    1000
}

/// One centre's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentreConfig {
    /// The centre's id.
    pub id: String,
    /// Its name on the pages (default: the id), e.g. `西宁市不动产登记中心`.
    #[serde(default)]
    pub name: Option<String>,
    /// IANA time zone (default `Asia/Shanghai`).
    #[serde(default = "default_zone")]
    pub time_zone: String,
    /// Closing time `HH:MM` (default `18:00`).
    #[serde(default = "default_closing")]
    pub closing_time: String,
    /// Reviewer ≠ accepting clerk, registrar ≠ reviewer (default on).
    #[serde(default = "yes")]
    pub separation_of_duties: bool,
    /// A seizure's term in years when it gives none (default 3).
    #[serde(default = "default_term")]
    pub seizure_term_years: u32,
    /// Which days a lapse's last day moves off: `holidays_and_weekends` (default) or
    /// `holidays_only`.
    #[serde(default)]
    pub rest_days: regflow_process::register::RestDays,
    /// Whether `not_the_owner` also refuses a case with no parties on the compared side.
    #[serde(default)]
    pub require_parties: bool,
    /// Where its entries are reported (SPEC 14.1): `national` (default), `province`, `city`;
    /// each a name, or a `[[centres.report_targets]]` table with its webhook and areas.
    #[serde(default = "default_targets")]
    pub report_targets: Vec<ReportTargetConfig>,
    /// Minutes a report may stay unaccepted before `report_overdue` (default 60).
    #[serde(default = "default_within")]
    pub report_within: u32,
    /// How certificate numbers read (SPEC 15.1); default
    /// `{ title = "青({yyyy})西宁市不动产权第{seq:07}号", certification = "青({yyyy})西宁市不动产证明第{seq:07}号" }`.
    #[serde(default)]
    pub certificate_numbers: Option<NumberPatternsConfig>,
    /// The centre's private signing key, PEM, mode 0600 (default `keys/{id}.pem`, made by
    /// `serve` when missing, as `regflow keys init` would).
    #[serde(default)]
    pub signing_key_file: Option<std::path::PathBuf>,
    /// The address certificates' QR codes point at (default: the service's own address).
    #[serde(default)]
    pub verify_base: Option<String>,
    /// The authority types whose commissions an information query accepts (SPEC 15.2;
    /// default `["court", "procuratorate", "public_security"]`).
    #[serde(default)]
    pub authorities: Option<Vec<String>>,
    /// Working days a deferred query may take (default 5).
    #[serde(default)]
    pub query_defer_days: Option<u32>,
}

/// `certificate_numbers = { title = "…", certification = "…" }`: `{yyyy}` the year,
/// `{seq:07}` the number within the year and type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberPatternsConfig {
    /// Titles' pattern.
    pub title: String,
    /// Certifications' pattern.
    pub certification: String,
    /// Query result certificates' pattern (default `青({yyyy})西宁市不动产查询第{seq:07}号`).
    #[serde(default)]
    pub query_result: Option<String>,
}

/// `keys/{centre}.pem`: where a centre's signing key lives unless configured.
pub fn default_key_file(centre: &CentreId) -> std::path::PathBuf {
    std::path::Path::new("keys").join(format!("{centre}.pem"))
}

fn default_targets() -> Vec<ReportTargetConfig> {
    vec![ReportTargetConfig::from(Target::National)]
}

/// One target of a centre's reports (SPEC 14.1, 11): written as its name alone
/// (`"national"`), or as a table
///
/// ```toml
/// [[centres.report_targets]]
/// name = "national"
/// url = "http://127.0.0.1:9100/reports"   # POST each report and daily log, signed
/// secret = "a long shared secret"
/// areas = ["630102", "630103"]            # their daily log closes every day
/// ```
///
/// Without `url`, the target's reports wait for the adapter (a `reporter` token) to read
/// and acknowledge them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "TargetEntry")]
pub struct ReportTargetConfig {
    /// The target.
    pub name: Target,
    /// The webhook receiving the target's reports and logs, with its signing secret.
    pub webhook: Option<(String, String)>,
    /// The areas whose daily log closes every day.
    pub areas: Vec<String>,
    /// The first wait after a failed delivery, doubled on each further one up to a minute.
    pub retry_initial_ms: u64,
}

impl From<Target> for ReportTargetConfig {
    fn from(name: Target) -> Self {
        ReportTargetConfig { name, webhook: None, areas: Vec::new(), retry_initial_ms: default_retry_ms() }
    }
}

/// How a target is written in the file.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TargetEntry {
    Name(String),
    Table(TargetTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetTable {
    name: String,
    url: Option<String>,
    secret: Option<String>,
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default = "default_retry_ms")]
    retry_initial_ms: u64,
}

impl TryFrom<TargetEntry> for ReportTargetConfig {
    type Error = String;

    fn try_from(entry: TargetEntry) -> Result<Self, String> {
        let t = match entry {
            TargetEntry::Name(name) => {
                TargetTable { name, url: None, secret: None, areas: Vec::new(), retry_initial_ms: default_retry_ms() }
            }
            TargetEntry::Table(t) => t,
        };
        let name: Target = t.name.parse().map_err(|e: String| format!("report target: {e}"))?;
        let webhook = match (t.url, t.secret) {
            (None, None) => None,
            (Some(url), Some(secret)) if url.starts_with("http://") || url.starts_with("https://") => {
                if secret.len() < 16 {
                    return Err(format!("report target `{name}`: the secret must be at least 16 characters"));
                }
                Some((url, secret))
            }
            (Some(url), Some(_)) => {
                return Err(format!("report target `{name}`: url `{url}` must start with http:// or https://"))
            }
            _ => return Err(format!("report target `{name}`: give both `url` and `secret`, or neither")),
        };
        for a in &t.areas {
            if a.len() != 6 || !a.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("report target `{name}`: area `{a}` must be a 6-digit area code, like 630102"));
            }
        }
        Ok(ReportTargetConfig { name, webhook, areas: t.areas, retry_initial_ms: t.retry_initial_ms })
    }
}

/// A target's webhook, as the service runs it: its centre's reports and logs to `target`.
#[derive(Debug, Clone)]
pub struct ReportHookConfig {
    /// The centre.
    pub centre: CentreId,
    /// The target.
    pub target: Target,
    /// Where to POST.
    pub url: String,
    /// The signing secret.
    pub secret: String,
    /// The first wait after a failure.
    pub retry_initial_ms: u64,
}

fn default_within() -> u32 {
    60
}

fn default_term() -> u32 {
    regflow_process::register::clock::SEIZURE_TERM_YEARS
}

/// Request limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The largest request body accepted (413 beyond).
    pub body_bytes: usize,
    /// Requests per minute per token (429 beyond), with bursts of up to a tenth of it.
    pub requests_per_minute: u32,
    /// A request taking longer is answered 503.
    pub request_timeout_secs: u64,
    /// How long a checked token is trusted before it is looked up again: a revoked token
    /// is refused at most this long after its revocation (0: look up on every request).
    pub token_cache_ms: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { body_bytes: 256 * 1024, requests_per_minute: 6000, request_timeout_secs: 30, token_cache_ms: 1000 }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8080".into()
}
fn default_zone() -> String {
    "Asia/Shanghai".into()
}
fn default_closing() -> String {
    "18:00".into()
}
fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: default_listen(),
            database: None,
            centres: Vec::new(),
            limits: Limits::default(),
            webhooks: Vec::new(),
            demo: false,
        }
    }
}

impl Config {
    /// Reads TOML text.
    ///
    /// # Errors
    /// [`ConfigError`] naming what is wrong.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.check()?;
        Ok(config)
    }

    /// Applies the `REGFLOW_*` overrides read by `var`.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for an override that is not a number where one is needed.
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        fn number<T: std::str::FromStr>(name: &str, text: String) -> Result<T, ConfigError> {
            text.trim().parse().map_err(|_| ConfigError::Invalid(format!("{name}=`{text}` is not a whole number")))
        }
        if let Some(v) = var("REGFLOW_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = var("REGFLOW_DATABASE_URL") {
            self.database = Some(v);
        }
        if let Some(v) = var("REGFLOW_BODY_BYTES") {
            self.limits.body_bytes = number("REGFLOW_BODY_BYTES", v)?;
        }
        if let Some(v) = var("REGFLOW_REQUESTS_PER_MINUTE") {
            self.limits.requests_per_minute = number("REGFLOW_REQUESTS_PER_MINUTE", v)?;
        }
        if let Some(v) = var("REGFLOW_REQUEST_TIMEOUT_SECS") {
            self.limits.request_timeout_secs = number("REGFLOW_REQUEST_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = var("REGFLOW_TOKEN_CACHE_MS") {
            self.limits.token_cache_ms = number("REGFLOW_TOKEN_CACHE_MS", v)?;
        }
        self.check()?;
        Ok(self)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        if l.body_bytes == 0 || l.requests_per_minute == 0 || l.request_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "limits.body_bytes, limits.requests_per_minute and limits.request_timeout_secs must be at least 1"
                    .into(),
            ));
        }
        if l.request_timeout_secs > 3600 {
            return Err(ConfigError::Invalid("limits.request_timeout_secs is at most 3600".into()));
        }
        for c in &self.centres {
            c.centre()?;
        }
        let mut names = std::collections::BTreeSet::new();
        for w in &self.webhooks {
            if w.name.trim().is_empty() || !names.insert(w.name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "webhook name `{}` is empty or used twice: each webhook needs its own",
                    w.name
                )));
            }
            if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
                return Err(ConfigError::Invalid(format!("webhook `{}`: url must be http:// or https://", w.name)));
            }
            if w.secret.len() < 16 {
                return Err(ConfigError::Invalid(format!(
                    "webhook `{}`: the secret must be at least 16 characters",
                    w.name
                )));
            }
        }
        Ok(())
    }

    /// The webhooks of the centres' report targets that have one.
    pub fn report_hooks(&self) -> Vec<ReportHookConfig> {
        let mut out = Vec::new();
        for c in &self.centres {
            for t in &c.report_targets {
                if let Some((url, secret)) = &t.webhook {
                    out.push(ReportHookConfig {
                        centre: CentreId::new(c.id.as_str()),
                        target: t.name,
                        url: url.clone(),
                        secret: secret.clone(),
                        retry_initial_ms: t.retry_initial_ms,
                    });
                }
            }
        }
        out
    }

    /// Each centre's `verify_base`, where configured.
    pub fn verify_bases(&self) -> std::collections::BTreeMap<String, String> {
        self.centres.iter().filter_map(|c| c.verify_base.clone().map(|b| (c.id.clone(), b))).collect()
    }

    /// Where `centre`'s private signing key lives: its `signing_key_file`, else
    /// `keys/{centre}.pem`.
    pub fn signing_key_file(&self, centre: &CentreId) -> std::path::PathBuf {
        self.centres
            .iter()
            .find(|c| c.id == centre.as_str())
            .and_then(|c| c.signing_key_file.clone())
            .unwrap_or_else(|| default_key_file(centre))
    }

    /// The configured centres, plus `extra` ones (named by tokens) with the defaults.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for a bad time zone or closing time.
    pub fn centres_with(&self, extra: impl IntoIterator<Item = CentreId>) -> Result<Vec<Centre>, ConfigError> {
        let mut out: Vec<Centre> = self.centres.iter().map(CentreConfig::centre).collect::<Result<_, _>>()?;
        for id in extra {
            if !out.iter().any(|c| c.id == id) {
                out.push(Centre::new(id.as_str()));
            }
        }
        Ok(out)
    }
}

impl CentreConfig {
    fn numbers(&self) -> Result<regflow_process::register::NumberPatterns, ConfigError> {
        let Some(given) = &self.certificate_numbers else { return Ok(Default::default()) };
        let patterns = regflow_process::register::NumberPatterns {
            title: given.title.clone(),
            certification: given.certification.clone(),
            query_result: given
                .query_result
                .clone()
                .unwrap_or_else(|| regflow_process::register::NumberPatterns::default().query_result),
        };
        patterns.check().map_err(|e| ConfigError::Invalid(format!("centre `{}`: {e}", self.id)))?;
        Ok(patterns)
    }

    fn authorities(&self) -> Result<Vec<String>, ConfigError> {
        let Some(given) = &self.authorities else { return Ok(RegisterSettings::default().authorities) };
        if let Some(bad) = given.iter().find(|a| !regflow_process::kind::is_snake_id(a)) {
            return Err(ConfigError::Invalid(format!(
                "centre `{}`: authorities: `{bad}` is not an id (lowercase letters, digits and `_`, e.g. `court`)",
                self.id
            )));
        }
        Ok(given.clone())
    }

    fn query_defer_days(&self) -> Result<u32, ConfigError> {
        match self.query_defer_days {
            None => Ok(RegisterSettings::default().query_defer_days),
            Some(days @ 1..=30) => Ok(days),
            Some(days) => Err(ConfigError::Invalid(format!(
                "centre `{}`: query_defer_days is {days}; give working days from 1 to 30 (the statutory limit)",
                self.id
            ))),
        }
    }

    fn centre(&self) -> Result<Centre, ConfigError> {
        if self.id.trim().is_empty() {
            return Err(ConfigError::Invalid("centres.id is empty".into()));
        }
        let hours = OfficeHours::parse(&self.time_zone, &self.closing_time)
            .map_err(|e| ConfigError::Invalid(format!("centre `{}`: {e}", self.id)))?;
        let max = regflow_process::register::clock::MAX_TERM_YEARS;
        if !(1..=max).contains(&self.seizure_term_years) {
            return Err(ConfigError::Invalid(format!(
                "centre `{}`: seizure_term_years must be between 1 and {max}",
                self.id
            )));
        }
        if self.report_within == 0 || self.report_within > 7 * 24 * 60 {
            return Err(ConfigError::Invalid(format!(
                "centre `{}`: report_within is minutes from 1 to 10080 (a week)",
                self.id
            )));
        }
        let mut targets: Vec<Target> = self.report_targets.iter().map(|t| t.name).collect();
        targets.sort();
        if targets.windows(2).any(|w| w[0] == w[1]) {
            return Err(ConfigError::Invalid(format!("centre `{}`: a report target is named twice", self.id)));
        }
        let report_areas = self
            .report_targets
            .iter()
            .filter(|t| !t.areas.is_empty())
            .map(|t| (t.name, t.areas.iter().cloned().collect()))
            .collect();
        let register = RegisterSettings {
            seizure_term_years: self.seizure_term_years,
            rest_days: self.rest_days,
            require_parties: self.require_parties,
            report_targets: targets,
            report_within: chrono::Duration::minutes(i64::from(self.report_within)),
            report_areas,
            certificate_numbers: self.numbers()?,
            authorities: self.authorities()?,
            query_defer_days: self.query_defer_days()?,
            ..Default::default()
        };
        Ok(Centre {
            id: CentreId::new(self.id.as_str()),
            name: self.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| self.id.clone()),
            hours,
            separation_of_duties: self.separation_of_duties,
            register,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_centre_sets_its_register() {
        let c = Config::from_toml(
            "[[centres]]\nid = \"xining\"\nseizure_term_years = 2\nrest_days = \"holidays_only\"\nrequire_parties = true\n\
             report_targets = [\"national\", \"province\"]\nreport_within = 30\nname = \"西宁市不动产登记中心\"\n\
             certificate_numbers = { title = \"T{yyyy}-{seq:05}\", certification = \"C{seq}\" }\n\
             authorities = [\"court\", \"discipline_commission\"]\n\
             query_defer_days = 7\n",
        )
        .unwrap();
        let centre = c.centres_with([]).unwrap().remove(0);
        assert_eq!(centre.name, "西宁市不动产登记中心");
        assert_eq!(centre.register.certificate_numbers.title, "T{yyyy}-{seq:05}");
        assert_eq!(centre.register.authorities, ["court", "discipline_commission"]);
        assert_eq!(centre.register.query_defer_days, 7);
        assert_eq!(c.centres_with([CentreId::new("haidong")]).unwrap()[1].name, "haidong", "the id when unnamed");
        assert_eq!(centre.register.seizure_term_years, 2);
        assert_eq!(centre.register.rest_days, regflow_process::register::RestDays::HolidaysOnly);
        assert!(centre.register.require_parties);
        assert_eq!(centre.register.report_targets.len(), 2);
        assert_eq!(centre.register.report_within, chrono::Duration::minutes(30));
        for bad in [
            "seizure_term_years = 0",
            "report_within = 0",
            "report_targets = [\"moon\"]",
            "report_targets = [\"national\", \"national\"]",
            "rest_days = \"never\"",
            "[[centres.report_targets]]\nname = \"national\"\nurl = \"http://127.0.0.1:1/r\"",
            "[[centres.report_targets]]\nname = \"national\"\nurl = \"ftp://x\"\nsecret = \"0123456789abcdef\"",
            "[[centres.report_targets]]\nname = \"national\"\nareas = [\"6301\"]",
            "[[centres.report_targets]]\nname = \"national\"\ncolour = \"red\"",
            "certificate_numbers = { title = \"no number\", certification = \"C{seq}\" }",
        ] {
            let text = format!("[[centres]]\nid = \"xining\"\n{bad}\n");
            assert!(Config::from_toml(&text).and_then(|c| c.centres_with([]).map(drop)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_report_target_may_have_a_webhook_and_areas() {
        let c = Config::from_toml(
            "[[centres]]\nid = \"xining\"\n[[centres.report_targets]]\nname = \"national\"\n\
             url = \"http://127.0.0.1:9100/reports\"\nsecret = \"0123456789abcdef\"\nareas = [\"630102\"]\n\
             [[centres.report_targets]]\nname = \"province\"\n",
        )
        .unwrap();
        let centre = c.centres_with([]).unwrap().remove(0);
        assert_eq!(centre.register.report_targets, vec![Target::National, Target::Province]);
        assert_eq!(centre.register.daily_areas().collect::<Vec<_>>(), vec![(Target::National, "630102")]);
        let hooks = c.report_hooks();
        assert_eq!(hooks.len(), 1);
        assert_eq!((hooks[0].target, hooks[0].url.as_str()), (Target::National, "http://127.0.0.1:9100/reports"));
    }

    #[test]
    fn reads_toml_and_env() {
        let c = Config::from_toml(
            "listen = \"127.0.0.1:0\"\n[[centres]]\nid = \"xining\"\nclosing_time = \"17:30\"\n[limits]\nbody_bytes = 10\n",
        )
        .unwrap();
        assert_eq!(c.limits.body_bytes, 10);
        let env = |k: &str| (k == "REGFLOW_REQUESTS_PER_MINUTE").then(|| "60".to_string());
        let c = c.with_env(env).unwrap();
        assert_eq!(c.limits.requests_per_minute, 60);
        let centres = c.centres_with([CentreId::new("haidong"), CentreId::new("xining")]).unwrap();
        assert_eq!(centres.len(), 2);
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        assert!(Config::from_toml("lisen = 1").is_err());
        assert!(Config::from_toml("[[centres]]\nid = \"x\"\ntime_zone = \"Mars/Olympus\"").is_err());
        assert!(Config::from_toml("[limits]\nbody_bytes = 0").is_err());
        let bad = Config::default().with_env(|k| (k == "REGFLOW_BODY_BYTES").then(|| "lots".to_string()));
        assert!(bad.unwrap_err().to_string().contains("REGFLOW_BODY_BYTES"));
    }
}
