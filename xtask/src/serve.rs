//! `cargo xtask serve`: a small static HTTP/1.1 server for the page.
//!
//! `www/` is served at `/` and `pkg/` at `/pkg/`, on 127.0.0.1 only, one
//! thread per connection, one request per connection (`Connection: close`).
//! Every response carries the page's security headers, so what the tests
//! see is what the page must live with.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::util::Result;

/// The port `cargo xtask serve` uses without `--port`.
pub const DEFAULT_PORT: u16 = 8080;

/// What the page may load and run: only its own files, wasm compilation,
/// and images it makes itself (blob:/data: for canvas exports).
///
/// No inline styles either: chart text is measured with the canvas's own
/// `measureText` (`CspCanvas` in src/wasm/canvas.rs), not plotters' styled span.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' blob: data:; worker-src 'self' blob:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/// The bench page's policy (bench mode only, never the page's): as the
/// page's, plus `'unsafe-eval'`, which TensorFlow.js needs to start.
pub const BENCH_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; style-src 'self'; \
     img-src 'self' blob: data:; worker-src 'self' blob:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/// The longest request head we read; a browser's is far smaller.
const MAX_HEAD_BYTES: u64 = 16 * 1024;

/// The two folders the server may read from.
#[derive(Debug, Clone)]
pub struct Site {
    /// Served at `/`.
    pub www: PathBuf,
    /// Served at `/pkg/`.
    pub pkg: PathBuf,
    /// Print one line per request (`200 GET /pkg/normscope.js`).
    pub log: bool,
    /// More folders, each served at `/<name>/` (empty except for
    /// `cargo xtask bench`, which adds `bench/` and `node_modules/`).
    pub extra: Vec<(&'static str, PathBuf)>,
    /// Send COOP/COEP so the page is cross-origin isolated (bench only:
    /// multi-threaded peers need SharedArrayBuffer).
    pub isolated: bool,
}

/// Listen on 127.0.0.1:`port` and serve until the process is stopped.
///
/// # Errors
/// When the port cannot be bound (most often: already in use).
pub fn serve(site: Site, port: u16) -> Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            format!(
                "port {port} on 127.0.0.1 is already in use: stop the other server, \
                 or pick another port with --port N"
            )
        } else {
            format!("cannot listen on 127.0.0.1:{port} ({e})")
        }
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address ({e})"))?
        .port();
    println!("Serving normscope at http://127.0.0.1:{port}/ (www/ at /, pkg/ at /pkg/). Ctrl+C stops it.");
    let _ = io::stdout().flush();
    run(listener, site);
    Ok(())
}

/// Accept connections forever, each on its own thread.
pub fn run(listener: TcpListener, site: Site) {
    let site = Arc::new(site);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let site = Arc::clone(&site);
                thread::spawn(move || {
                    // A client that hangs up early is not our problem to report.
                    let _ = handle(stream, &site);
                });
            }
            Err(e) => eprintln!("serve: could not accept a connection ({e})"),
        }
    }
}

/// Read one request and answer it.
fn handle(stream: TcpStream, site: &Site) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some((request_line, if_none_match)) = read_head(&mut reader)? else {
        return Ok(());
    };
    let mut stream = stream;
    let mut parts = request_line.split(' ');
    let (method, target, version) = (parts.next(), parts.next(), parts.next());
    let answer = match (method, target, version) {
        (Some(m @ ("GET" | "HEAD")), Some(target), Some(v))
            if v.starts_with("HTTP/1.") && parts.next().is_none() =>
        {
            let answer = answer(site, target);
            if site.log {
                log(m, target, answer.status());
            }
            let relaxed = site.isolated && target.starts_with("/bench/");
            let head_only = m == "HEAD";
            let how = How {
                head_only,
                isolated: site.isolated,
                relaxed,
                if_none_match: if_none_match.as_deref(),
            };
            send(&mut stream, answer, how)
        }
        (Some(_), Some(target), Some(_)) => {
            let answer = Answer::Error(405);
            if site.log {
                log(method.unwrap_or(""), target, 405);
            }
            send(&mut stream, answer, How::plain(site.isolated))
        }
        _ => send(&mut stream, Answer::Error(400), How::plain(site.isolated)),
    };
    let _ = stream.shutdown(std::net::Shutdown::Write);
    answer
}

/// The request line and its If-None-Match value, after reading the header
/// lines up to the blank line. Reading them all matters: closing a socket
/// with unread input makes the kernel reset the connection, and the browser
/// may then lose the response.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<(String, Option<String>)>> {
    let mut limited = reader.take(MAX_HEAD_BYTES);
    let mut first = String::new();
    if limited.read_line(&mut first)? == 0 {
        return Ok(None);
    }
    let mut if_none_match = None;
    let mut line = String::new();
    loop {
        line.clear();
        if limited.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("if-none-match") {
                if_none_match = Some(value.trim().to_string());
            }
        }
    }
    Ok(Some((first.trim_end().to_string(), if_none_match)))
}

/// How to answer, beside what: HEAD or GET, the bench's headers, and the
/// ETag the browser already holds.
struct How<'a> {
    head_only: bool,
    isolated: bool,
    relaxed: bool,
    if_none_match: Option<&'a str>,
}

impl How<'_> {
    fn plain(isolated: bool) -> Self {
        How {
            head_only: false,
            isolated,
            relaxed: false,
            if_none_match: None,
        }
    }
}

/// A file's validator: its size and modification time. A worker importing
/// the modules the page already has then gets 304 Not Modified instead of
/// the bytes again (the page is served with `Cache-Control: no-cache`).
fn etag(meta: &std::fs::Metadata) -> String {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("\"{:x}-{modified:x}\"", meta.len())
}

fn log(method: &str, target: &str, status: u16) {
    // Never panic on a closed stdout (a test harness may ignore our output).
    let _ = writeln!(io::stdout().lock(), "{status} {method} {target}");
}

/// What to send back.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// 200 with this file's bytes.
    File(PathBuf),
    /// 301 to this location (a folder asked for without its trailing slash).
    Redirect(String),
    /// An error status with a short plain-text body.
    Error(u16),
}

impl Answer {
    fn status(&self) -> u16 {
        match self {
            Answer::File(_) => 200,
            Answer::Redirect(_) => 301,
            Answer::Error(code) => *code,
        }
    }
}

/// Map a request target to a file under `www/` or `pkg/`, refusing
/// anything that could climb out of them.
pub fn answer(site: &Site, target: &str) -> Answer {
    // Only printable ASCII may come in (it is echoed into Location).
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Answer::Error(400);
    }
    let raw_path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(decoded) = percent_decode(raw_path) else {
        return Answer::Error(400);
    };
    let Ok(path) = String::from_utf8(decoded) else {
        return Answer::Error(400);
    };
    if path.contains(['\0', '\\']) {
        return Answer::Error(400);
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Answer::Error(400);
    }
    // Hidden files (.git, .env, editor swap files) are never part of the site.
    if segments.iter().any(|s| s.starts_with('.')) {
        return Answer::Error(404);
    }
    let mounted = segments.split_first().and_then(|(first, rest)| {
        site.extra
            .iter()
            .find(|(name, _)| name == first)
            .map(|(_, dir)| (dir, rest))
    });
    let (base, rest) = match (mounted, segments.split_first()) {
        (Some(found), _) => found,
        (None, Some((&"pkg", rest))) => (&site.pkg, rest),
        _ => (&site.www, &segments[..]),
    };
    let mut file = base.clone();
    for segment in rest {
        file.push(segment);
    }
    // Every pushed part must be a plain name; anything else could replace the base.
    if file.strip_prefix(base).map_or(true, |p| {
        p.components().any(|c| !matches!(c, Component::Normal(_)))
    }) {
        return Answer::Error(400);
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            return Answer::Redirect(format!("{raw_path}/"));
        }
        file.push("index.html");
    }
    // A symlink inside www/ must not lead outside it.
    match (file.canonicalize(), base.canonicalize()) {
        (Ok(real), Ok(real_base)) if real.starts_with(&real_base) && real.is_file() => {
            Answer::File(real)
        }
        _ => Answer::Error(404),
    }
}

/// Decode `%XX` escapes; `None` on a malformed escape. `+` stays `+` (it
/// means a space only in query strings, which we ignore).
pub fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The Content-Type for a file name.
pub fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// Write the status line, headers and (unless HEAD) the body.
/// Write the response. `isolated` adds COOP/COEP; `relaxed` sends the bench
/// page's policy instead of the page's (both only in bench mode).
fn send(stream: &mut TcpStream, answer: Answer, how: How) -> io::Result<()> {
    let How {
        mut head_only,
        isolated,
        relaxed,
        if_none_match,
    } = how;
    let (answer, file) = match answer {
        Answer::File(path) => match File::open(&path).and_then(|f| Ok((f.metadata()?, f))) {
            Ok((meta, f)) => (Answer::File(path), Some((meta.len(), etag(&meta), f))),
            Err(_) => (Answer::Error(404), None),
        },
        other => (other, None),
    };
    let unchanged =
        matches!((&file, if_none_match), (Some((_, tag, _)), Some(held)) if held == tag);
    let status = if unchanged { 304 } else { answer.status() };
    head_only |= unchanged;
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    let body = match &answer {
        Answer::File(path) => {
            head.push_str(&format!("Content-Type: {}\r\n", mime_type(path)));
            if let Some((_, tag, _)) = &file {
                head.push_str(&format!("ETag: {tag}\r\n"));
            }
            None
        }
        Answer::Redirect(location) => {
            head.push_str(&format!("Location: {location}\r\n"));
            Some(format!("Moved to {location}\n"))
        }
        Answer::Error(code) => {
            if *code == 405 {
                head.push_str("Allow: GET, HEAD\r\n");
            }
            Some(format!("{code} {}\n", reason(*code)))
        }
    };
    if body.is_some() {
        head.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    }
    let length = match (&file, &body) {
        (Some(_), _) if unchanged => 0,
        (Some((len, _, _)), _) => *len,
        (None, Some(text)) => text.len() as u64,
        (None, None) => 0,
    };
    head.push_str(&format!("Content-Length: {length}\r\n"));
    let policy = if relaxed {
        BENCH_CONTENT_SECURITY_POLICY
    } else {
        CONTENT_SECURITY_POLICY
    };
    head.push_str(&format!("Content-Security-Policy: {policy}\r\n"));
    head.push_str("X-Content-Type-Options: nosniff\r\n");
    if isolated {
        head.push_str("Cross-Origin-Opener-Policy: same-origin\r\n");
        head.push_str("Cross-Origin-Embedder-Policy: require-corp\r\n");
    }
    head.push_str("Cache-Control: no-cache\r\n");
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        match (file, body) {
            (Some((_, _, mut f)), _) => {
                io::copy(&mut f, stream)?;
            }
            (None, Some(text)) => stream.write_all(text.as_bytes())?,
            (None, None) => {}
        }
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::net::TcpListener;

    /// A throwaway site: www/index.html, www/app.js, www/sub/, pkg/x.wasm,
    /// and a secret file next to (outside) both folders.
    fn site(name: &str) -> Site {
        let dir = crate::util::target_dir().join("xtask-test").join(name);
        let _ = fs::remove_dir_all(&dir);
        let www = dir.join("www");
        let pkg = dir.join("pkg");
        for d in [www.join("sub"), pkg.clone()] {
            fs::create_dir_all(d).ok();
        }
        fs::write(www.join("index.html"), "<!doctype html><title>t</title>").ok();
        fs::write(www.join("app.js"), "export {};").ok();
        fs::write(www.join("sub").join("index.html"), "sub").ok();
        fs::write(www.join(".env"), "hidden").ok();
        fs::write(pkg.join("x.wasm"), b"\0asm\x01\0\0\0").ok();
        fs::write(dir.join("secret.txt"), "secret").ok();
        Site {
            www,
            pkg,
            log: false,
            extra: Vec::new(),
            isolated: false,
        }
    }

    #[test]
    fn serves_www_at_root_and_pkg_under_pkg() {
        let s = site("map");
        assert_eq!(
            answer(&s, "/"),
            Answer::File(s.www.join("index.html").canonicalize().unwrap_or_default())
        );
        assert_eq!(
            answer(&s, "/app.js?v=2"),
            Answer::File(s.www.join("app.js").canonicalize().unwrap_or_default())
        );
        assert_eq!(
            answer(&s, "/pkg/x.wasm"),
            Answer::File(s.pkg.join("x.wasm").canonicalize().unwrap_or_default())
        );
        assert_eq!(answer(&s, "/sub"), Answer::Redirect("/sub/".to_string()));
        assert_eq!(answer(&s, "/missing.js"), Answer::Error(404));
    }

    #[test]
    fn bench_mode_mounts_extra_folders_and_nothing_else() {
        let mut s = site("mounts");
        // Without mounts, /bench/ is just a (missing) folder of www/.
        assert_eq!(answer(&s, "/bench/index.html"), Answer::Error(404));
        let bench = s.www.parent().map(|d| d.join("bench")).unwrap_or_default();
        fs::create_dir_all(&bench).ok();
        fs::write(bench.join("index.html"), "bench").ok();
        s.extra = vec![("bench", bench.clone())];
        assert_eq!(
            answer(&s, "/bench/index.html"),
            Answer::File(bench.join("index.html").canonicalize().unwrap_or_default())
        );
        // A mount is as closed as www/: no climbing out of it.
        assert_eq!(answer(&s, "/bench/../secret.txt"), Answer::Error(400));
        assert_eq!(answer(&s, "/bench/%2e%2e/secret.txt"), Answer::Error(400));
        // The page itself is still www/'s.
        assert_eq!(
            answer(&s, "/"),
            Answer::File(s.www.join("index.html").canonicalize().unwrap_or_default())
        );
    }

    #[test]
    fn refuses_to_leave_the_site() {
        let s = site("escape");
        for target in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/pkg/..%2f..%2fsecret.txt",
            "/sub/%2e%2e/%2e%2e/secret.txt",
            "/..%5csecret.txt",
            "/%00",
            "/%zz",
            "/%2",
            "relative",
        ] {
            assert_eq!(answer(&s, target), Answer::Error(400), "{target}");
        }
        assert_eq!(answer(&s, "/.env"), Answer::Error(404));
        // An absolute path smuggled in as one segment stays inside www/.
        assert_eq!(answer(&s, "/%2Fetc%2Fpasswd"), Answer::Error(404));
    }

    #[test]
    fn mime_types_the_page_needs() {
        assert_eq!(mime_type(Path::new("a.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("a.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("A.JPG")), "image/jpeg");
        assert_eq!(mime_type(Path::new("a.ico")), "image/x-icon");
        assert_eq!(mime_type(Path::new("noext")), "application/octet-stream");
    }

    /// Raw HTTP over a real socket, so headers and traversal are checked
    /// the way a client sends them (no URL normalisation in between).
    fn fetch(port: u16, request: &str) -> String {
        let mut stream = match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => s,
            Err(e) => return format!("connect failed: {e}"),
        };
        let _ = stream.write_all(request.as_bytes());
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response
    }

    #[test]
    fn answers_over_http_with_security_headers() {
        let s = site("http");
        let listener = match TcpListener::bind(("127.0.0.1", 0)) {
            Ok(l) => l,
            Err(e) => panic!("cannot bind a test port: {e}"),
        };
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        thread::spawn(move || run(listener, s));

        let ok = fetch(port, "GET /pkg/x.wasm HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(
            ok.contains("\r\nContent-Type: application/wasm\r\n"),
            "{ok}"
        );
        assert!(ok.contains("\r\nContent-Length: 8\r\n"), "{ok}");
        assert!(ok.contains(&format!(
            "\r\nContent-Security-Policy: {CONTENT_SECURITY_POLICY}\r\n"
        )));
        assert!(ok.contains("\r\nX-Content-Type-Options: nosniff\r\n"));
        assert!(ok.contains("\r\nCache-Control: no-cache\r\n"));
        assert!(ok.ends_with("\0asm\u{1}\0\0\0"), "{ok}");

        // A file the browser already holds comes back 304, without its bytes.
        let tag = ok
            .split("\r\nETag: ")
            .nth(1)
            .and_then(|rest| rest.split("\r\n").next())
            .unwrap_or_default();
        assert!(tag.starts_with('"') && tag.len() > 2, "{ok}");
        let again = fetch(
            port,
            &format!("GET /pkg/x.wasm HTTP/1.1\r\nHost: x\r\nIf-None-Match: {tag}\r\n\r\n"),
        );
        assert!(
            again.starts_with("HTTP/1.1 304 Not Modified\r\n"),
            "{again}"
        );
        assert!(again.ends_with("\r\n\r\n"), "a 304 has no body: {again}");
        let other = fetch(
            port,
            "GET /pkg/x.wasm HTTP/1.1\r\nIf-None-Match: \"0-0\"\r\n\r\n",
        );
        assert!(other.starts_with("HTTP/1.1 200 OK\r\n"), "{other}");

        let head = fetch(port, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(
            head.ends_with("\r\n\r\n"),
            "HEAD must not send a body: {head}"
        );

        let climb = fetch(port, "GET /../secret.txt HTTP/1.1\r\n\r\n");
        assert!(climb.starts_with("HTTP/1.1 400 "), "{climb}");
        assert!(!climb.contains("secret"), "{climb}");
        let missing = fetch(port, "GET /nope.js HTTP/1.1\r\n\r\n");
        assert!(missing.starts_with("HTTP/1.1 404 "), "{missing}");
        assert!(missing.contains("\r\nX-Content-Type-Options: nosniff\r\n"));
        let post = fetch(port, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assert!(post.starts_with("HTTP/1.1 405 "), "{post}");
        assert!(post.contains("\r\nAllow: GET, HEAD\r\n"), "{post}");
    }
}
