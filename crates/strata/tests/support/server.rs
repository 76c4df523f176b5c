//! A real `strata server` process for tests: started on a free loopback port
//! over a data dir, its stderr (the log) kept in a file, killed on drop; and a
//! small blocking HTTP client for its API.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub data_dir: PathBuf,
    pub log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The binary with no Strata/Docker settings inherited from the caller.
pub fn strata_command(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("STRATA_") || key.starts_with("CLAIR_") || key.starts_with("DOCKER_") {
            command.env_remove(key.as_ref());
        }
    }
    command
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("DOCKER_CONFIG", home)
        .env("HOME", home)
        .current_dir(home)
        .stdin(Stdio::null());
    command
}

impl Server {
    /// Starts `strata server --data-dir DATA --listen 127.0.0.1:0 EXTRA…` and
    /// waits for its "listening" line.
    pub fn start(data_dir: &Path, extra: &[&str]) -> Server {
        std::fs::create_dir_all(data_dir).unwrap();
        let log = data_dir.join(format!(
            "server-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let child = strata_command(data_dir)
            .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server {
            child: Some(child),
            url: String::new(),
            data_dir: data_dir.to_owned(),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let text = server.log_text();
            if let Some(url) = text
                .lines()
                .find(|l| l.contains(" listening ") && l.contains("url="))
                .and_then(|l| l.split("url=").nth(1))
            {
                server.url = url.split_whitespace().next().unwrap().to_owned();
                return server;
            }
            if let Some(status) = server.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("strata server exited with {status}: {text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("strata server did not start: {}", server.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `/readyz` says 200.
    pub fn wait_ready(&self, within: Duration) {
        self.wait_ready_with(&client(None), within);
    }

    /// Waits until `/readyz` says 200, asking with `client`.
    pub fn wait_ready_with(&self, client: &reqwest::Client, within: Duration) {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if request_with(client, "GET", &format!("{}/readyz", self.url), None, None).status
                == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("server not ready within {within:?}: {}", self.log_text());
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then wait for the exit status.
    pub fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        child.wait().ok()?.code()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
}

/// Creates a token offline on the data dir; returns the secret.
pub fn create_token(data_dir: &Path, name: &str, role: &str, extra: &[&str]) -> String {
    let output = strata_command(data_dir)
        .args([
            "server",
            "token",
            "create",
            "--name",
            name,
            "--role",
            role,
            "--data-dir",
        ])
        .arg(data_dir)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

pub fn client(ca: Option<&Path>) -> reqwest::Client {
    let cas: Vec<&Path> = ca.into_iter().collect();
    let tls = strata_image::registry::tls_client_config(&cas, false).unwrap();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap()
}

/// An answer: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn request_with(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
) -> Answer {
    let mut request = client.request(method.parse().unwrap(), url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_vec());
    }
    runtime().block_on(async {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap().to_vec();
        Answer {
            status,
            headers,
            body,
        }
    })
}

pub fn request(method: &str, url: &str, token: Option<&str>, body: Option<&[u8]>) -> Answer {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    request_with(
        CLIENT.get_or_init(|| client(None)),
        method,
        url,
        token,
        body,
    )
}

/// GET → (status, body as JSON or Null).
pub fn get(url: &str, token: Option<&str>) -> (u16, Value) {
    let answer = request("GET", url, token, None);
    let json = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer.status, json)
}
