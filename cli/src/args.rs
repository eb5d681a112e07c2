//! The command line: what each command takes. Secrets never come from arguments (they would
//! show in `ps` and shell history): passphrases come from the environment or a hidden prompt.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "doorstep",
    version,
    about = "Doorstep: offline, encrypted home-visit records for the \"three doors\" action"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The store folder (default: $XDG_DATA_HOME/doorstep or ~/.local/share/doorstep).
    #[arg(long, global = true, env = "DOORSTEP_STORE", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Machine-readable JSON on stdout (errors as JSON on stderr).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an encrypted store (passphrase from DOORSTEP_PASSPHRASE or a prompt).
    Init,
    /// The visit roster.
    #[command(subcommand)]
    Roster(RosterCommand),
    /// Keys: passphrase change and data-key rotation.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Visit intervals and other policy values.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Record a home visit: start it, apply actions, sign, show.
    #[command(subcommand)]
    Visit(VisitCommand),
    /// Build a demo store from a generated county and show today's due list.
    Demo(DemoArgs),
    /// Check an exported visit: signature, device key and every media file. Needs no store.
    Verify { dir: PathBuf },
    /// Enrol this device with a sync server, with a one-time code from a supervisor.
    Enroll {
        /// The server's address, e.g. http://10.0.0.5:8080
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
    },
    /// Send sealed visits and their media; bring down the roster and review decisions.
    Sync,
    /// Review decisions on this device's visits: returned visits to correct, approvals.
    Tasks,
    /// Run the sync server (device API) on a data folder until Ctrl-C.
    Serve {
        /// The server's data folder (created if absent).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Address to listen on; port 0 picks a free one (printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
        #[arg(long, value_name = "PEM", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, value_name = "PEM", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// A map tile server reachable from supervisors' browsers, drawn under visit maps:
        /// a URL template with {z}, {x} and {y} (Tianditu's, on a government network).
        #[arg(long, value_name = "URL")]
        tiles: Option<String>,
        /// The county's time zone (IANA name): the web app's times and days are its.
        #[arg(long, value_name = "ZONE", default_value = "Asia/Shanghai", env = "DOORSTEP_TIME_ZONE",
              value_parser = parse_zone)]
        time_zone: doorstep_server::web::Zone,
        /// Keep photos and signatures in this bucket of an S3-compatible store (OBS, OSS,
        /// COS, Ceph RGW, MinIO) instead of the data folder; keys from DOORSTEP_S3_ACCESS_KEY
        /// and DOORSTEP_S3_SECRET_KEY.
        #[arg(long, value_name = "BUCKET")]
        s3_bucket: Option<String>,
        /// The store's endpoint URL (none: AWS).
        #[arg(long, value_name = "URL", requires = "s3_bucket")]
        s3_endpoint: Option<String>,
        #[arg(long, default_value = "us-east-1", requires = "s3_bucket")]
        s3_region: String,
        /// Virtual-host addressing (bucket.endpoint/key: OBS, OSS, COS); path style otherwise.
        #[arg(long, requires = "s3_bucket")]
        s3_virtual_host: bool,
        /// Keep everything in this PostgreSQL database (postgres://user@host:port/db, add
        /// ?pool_size=N for other than 16 connections) instead of the data folder's SQLite
        /// file; several servers may share it. From the environment rather than the command
        /// line when it holds a password.
        #[arg(
            long,
            value_name = "URL",
            env = "DOORSTEP_DATABASE",
            hide_env_values = true
        )]
        database: Option<String>,
    },
    /// Operator commands on a server's data folder.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Add a supervisor for an area (password from DOORSTEP_NEW_PASSWORD).
    AddSupervisor {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long)]
        login: String,
        /// A division code prefix: the county, township or village the supervisor sees.
        #[arg(long)]
        area: String,
    },
    /// Import a roster file for an area: every row checked, nothing imported on error.
    ImportRoster {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long)]
        area: String,
        file: PathBuf,
    },
    /// Issue a one-time enrolment code for a field worker's device (valid 7 days).
    EnrolmentCode {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long)]
        worker: String,
        #[arg(long)]
        area: String,
    },
    /// Decide on a submitted visit: approve, return (with --comment) or reject (with --comment).
    Review {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        visit_id: String,
        #[arg(value_enum)]
        decision: ReviewDecision,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Revoke a device: its requests are refused from now on.
    RevokeDevice {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        device_id: String,
    },
    /// Import the names of divisions (CSV `code,name`: county, townships, villages); devices
    /// get them with the roster.
    ImportDivisions {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        file: PathBuf,
    },
    /// Issue a policy record (JSON, as `doorstep admin show-policy` prints it) to every
    /// device: visit intervals, flag thresholds, photo size, the policy list.
    SetPolicy {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        file: PathBuf,
        /// Issue it for one area (a county's code) only; by default for every area that
        /// has no policy of its own.
        #[arg(long, default_value = "")]
        area: String,
    },
    /// Print the policy the server issues (JSON): an area's, or the default.
    ShowPolicy {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long, default_value = "")]
        area: String,
    },
    /// Issue a card-activation checklist template (JSON, as `doorstep admin show-checklist`
    /// prints it; its version is given by the server) to the devices of an area.
    IssueChecklist {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        file: PathBuf,
        /// Issue it for one area (a county's code) only; by default for every area that
        /// has no checklist of its own.
        #[arg(long, default_value = "")]
        area: String,
    },
    /// Print the checklist template in force (JSON): an area's, or the default.
    ShowChecklist {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long, default_value = "")]
        area: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReviewDecision {
    Approve,
    Return,
    Reject,
}

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Import a roster file (CSV with a header row, or a JSON array), upserting by id.
    Import {
        file: PathBuf,
        /// Import the valid rows and list the skipped ones, instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
        /// The file's format (default: JSON if it starts with '[', CSV otherwise).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
    /// List recipients, most overdue first, then nearest.
    List(ListArgs),
    /// One recipient in full.
    Show {
        id: String,
        /// Name protected subsidies (orphans, HIV-related); each reveal is logged.
        #[arg(long)]
        reveal_protected: bool,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only those due today or overdue.
    #[arg(long)]
    pub due: bool,
    /// Your position, WGS-84 "LAT,LON": adds distances and sorts by them after overdue days.
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    pub near: Option<String>,
    /// Part of a name, or an exact ID number or mobile number.
    #[arg(long)]
    pub search: Option<String>,
    /// A village, township or county division code (prefix).
    #[arg(long, value_name = "CODE")]
    pub village: Option<String>,
    /// At most this many lines.
    #[arg(long)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FileFormat {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Re-wrap the data key under a new passphrase (from DOORSTEP_NEW_PASSPHRASE or a prompt).
    ChangePassphrase,
    /// Re-encrypt everything under a new data key; resumes an interrupted rotation.
    Rotate {
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch_size: usize,
        /// Pause between transactions, to keep a busy device responsive.
        #[arg(long, default_value_t = 0, value_name = "MS")]
        pause_ms: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// Start a visit to a recipient on the roster.
    Start { recipient_id: String },
    /// Start the correction of a sealed visit: a new visit whose record points at it.
    Correct { visit_id: String },
    /// Apply actions from a JSON file ("-" for standard input): one object tagged by "type",
    /// or an array of them. Types: contact, subsidy, policy_explained, living, needs,
    /// question_answered, ticket, satisfaction, checklist, sign, note (see README).
    Act { visit_id: String, file: PathBuf },
    /// Record a position fix from the phone.
    Fix {
        visit_id: String,
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        /// The accuracy radius the phone reports, in metres.
        #[arg(long, value_name = "M")]
        accuracy: f64,
        /// The satellites' time of the fix (RFC 3339); default now.
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
        /// The OS reported a mock location provider.
        #[arg(long)]
        mock: bool,
        #[arg(long, value_enum, default_value = "wgs84")]
        datum: DatumArg,
        #[arg(long, default_value = "gps")]
        provider: String,
    },
    /// Attach a photo (JPEG or PNG): shrunk, turned upright, stripped of metadata, sealed.
    Photo { visit_id: String, file: PathBuf },
    /// Sign with strokes captured on a pad (JSON: width, height, strokes).
    Sign {
        visit_id: String,
        #[arg(long, value_name = "FILE")]
        strokes: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "recipient")]
        signer: Signer,
        #[arg(long)]
        proxy_name: Option<String>,
        #[arg(long)]
        relation: Option<String>,
    },
    /// The visit's view state: current step, what is missing, warnings.
    Show { visit_id: String },
    /// Visits on this device, newest first.
    List,
    /// Seal a complete visit: signed by the device, chained to its previous record.
    Finish { visit_id: String },
    /// Write a sealed visit's record.json, record.sig, device.pub and media/ to a folder.
    Export {
        visit_id: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DatumArg {
    Wgs84,
    Gcj02,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Signer {
    Recipient,
    Proxy,
    Thumbprint,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the policy record.
    Show,
    /// Set the visit interval of one special group.
    SetInterval {
        /// elderly, seriously_ill, disabled, minor (or 高龄, 重病, 残疾, 未成年).
        category: String,
        days: u32,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo's data folder (server database and the phones' stores); a previous demo's
    /// folder is replaced.
    #[arg(long, value_name = "DIR", default_value = "doorstep-demo")]
    pub data: PathBuf,
    /// Where the server listens; port 0 picks a free one (printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Recipients in the generated county's roster.
    #[arg(long, default_value_t = 2000)]
    pub recipients: usize,
    /// Simulated field phones.
    #[arg(long, default_value_t = 20)]
    pub devices: usize,
    /// Simulated field days before today.
    #[arg(long, default_value_t = 3)]
    pub days: usize,
    /// Seed, print the summary and stop instead of serving.
    #[arg(long)]
    pub no_serve: bool,
}

fn parse_zone(name: &str) -> Result<doorstep_server::web::Zone, String> {
    doorstep_server::web::Zone::parse(name)
        .ok_or_else(|| format!("{name} is not a time zone name (Asia/Shanghai, Asia/Urumqi…)"))
}
