//! The real `optovik` binary as a separate process, for what only a process
//! of its own shows: its memory under a flood, its threads, what it logs and
//! prints at start, and what a start on a fresh database does.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `optovik serve`; killed when dropped.
pub struct Portal {
    child: Child,
    pub address: String,
    stdout: std::path::PathBuf,
    stderr: std::path::PathBuf,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl Portal {
    /// Starts `optovik serve` over `database_url` with extra arguments and
    /// environment, and waits until it answers `/health`.
    pub async fn start(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Portal {
        let port = free_port();
        let dir = std::env::temp_dir().join("optovik-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let tag = format!("{}-{port}", std::process::id());
        let stdout = dir.join(format!("portal-{tag}.out"));
        let stderr = dir.join(format!("portal-{tag}.err"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_optovik"));
        command
            .arg("serve")
            .args(args)
            .env_remove("OPTOVIK_CONFIG")
            .env("DATABASE_URL", database_url)
            .env("OPTOVIK_BIND", format!("127.0.0.1:{port}"))
            .env("OPTOVIK_EXCHANGE_DIR", dir.join(format!("exchange-{tag}")))
            .env("OPTOVIK_MAIL_DIR", dir.join(format!("mail-{tag}")))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr).expect("stderr file"));
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start optovik");
        let mut portal = Portal { child, address: format!("http://127.0.0.1:{port}"), stdout, stderr };
        let started = Instant::now();
        loop {
            if let Ok(response) = reqwest::get(portal.url("/health")).await {
                if response.status().is_success() {
                    break;
                }
            }
            if let Ok(Some(status)) = portal.child.try_wait() {
                panic!("optovik exited at start ({status}): {}", portal.stderr_text());
            }
            assert!(started.elapsed() < Duration::from_secs(120), "optovik did not start: {}", portal.stderr_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        portal
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the process printed on stdout so far.
    pub fn stdout_text(&self) -> String {
        read_text(&self.stdout)
    }

    /// What the process logged on stderr so far.
    pub fn stderr_text(&self) -> String {
        read_text(&self.stderr)
    }

    /// Everything the process wrote (the log goes to stdout by default).
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout_text(), self.stderr_text())
    }

    /// Resident memory, in KiB.
    pub fn rss_kib(&self) -> u64 {
        status_field(self.pid(), "VmRSS:")
    }

    /// Threads of the process.
    pub fn threads(&self) -> u64 {
        status_field(self.pid(), "Threads:")
    }
}

fn read_text(path: &std::path::Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    text
}

fn status_field(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stdout);
        let _ = std::fs::remove_file(&self.stderr);
    }
}

/// Runs `optovik` with `args` over `database_url` to its end; returns its
/// exit success and output.
pub fn run(database_url: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_optovik"))
        .args(args)
        .env_remove("OPTOVIK_CONFIG")
        .env("DATABASE_URL", database_url)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run optovik");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}
