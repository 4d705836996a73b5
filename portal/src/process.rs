//! This process's identity ("host:pid:start"), recorded with work that runs
//! in the background (journal runs, 1C imports), and whether the process
//! behind such an identity is still alive — so that work a killed process
//! left "running" is recognised after a restart.

use std::sync::OnceLock;

/// How this process is named in `holder` columns.
pub fn identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let pid = std::process::id();
        format!("{}:{pid}:{}", host(), start_ticks(pid).unwrap_or(0))
    })
}

fn host() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_string()))
        .unwrap_or_else(|| "localhost".into())
}

/// The process's start time in clock ticks since boot (field 22 of
/// `/proc/<pid>/stat`): a pid reused by another process has another.
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields after its ')' are plain.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the process named `holder` is known to be gone: it ran on this
/// host and no process with its pid and start time exists any more. A
/// holder on another host is never declared gone here.
pub fn is_gone(holder: &str) -> bool {
    let mut parts = holder.rsplitn(3, ':');
    let (Some(start), Some(pid), Some(host)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if host != self::host() {
        return false;
    }
    let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else { return false };
    start_ticks(pid) != Some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_gone() {
        assert!(!is_gone(identity()));
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let pid = child.id();
        let start = start_ticks(pid).unwrap_or(1);
        child.wait().expect("wait");
        assert!(is_gone(&format!("{}:{pid}:{start}", host())));
        assert!(!is_gone(&format!("elsewhere:{pid}:{start}")), "other hosts are not judged");
        assert!(!is_gone("garbage"));
    }
}
