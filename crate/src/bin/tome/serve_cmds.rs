//! `tome serve`: the built web app (web/, with web/pkg from scripts/build-web.sh) on 127.0.0.1.
//!
//! A small static file server on std::net, one thread per connection. It serves only files under
//! the app folder (and the model file of `assets/` at `/model/<file>.gguf`), with a Content-Security-Policy that allows this origin alone, and prints the URL.
//!
//! Hardened for a machine with other users and pages: at most [`MAX_CONNECTIONS`] at once (more
//! are closed, and a thread that cannot be made drops its connection, never the server), a read
//! timeout, a bounded request line and headers, files streamed rather than read whole, no
//! dotfiles and nothing a symlink reaches outside the folder, and a Host header that must name
//! this server (a page on another site cannot reach it by rebinding its DNS name to 127.0.0.1).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tome::{Error, Result};

/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 64;
/// A client that sends nothing for this long is disconnected.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that takes nothing of a response for this long is disconnected.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The request line and each header line; the headers together.
const MAX_LINE: u64 = 8 << 10;
const MAX_HEADERS: u64 = 32 << 10;

/// Same policy as the pages' meta tag: nothing but this origin ('wasm-unsafe-eval' lets the page
/// compile its own wasm module; it loads no code from elsewhere).
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' blob: data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; \
object-src 'none'; base-uri 'self'; form-action 'self'";

/// What a documentation site's pages may need (their generators inline scripts and styles);
/// requests still go to this origin alone.
const SITE_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; font-src 'self' data:; connect-src 'self'; \
worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'";

pub fn serve(port: u16, dir: Option<&Path>) -> Result<()> {
    let root = match dir {
        Some(d) => d.to_path_buf(),
        None => app_root(),
    };
    // A folder that is not the app (a documentation site with its pack) is served as it is.
    let app = root.join("pkg/tome_bg.wasm").is_file();
    if !app && (dir.is_none() || !root.is_dir()) {
        return Err(Error::io(
            format!("the web app in {} is not built; run scripts/build-web.sh first", root.display()),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let csp = if app { CSP } else { SITE_CSP };
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| Error::io(format!("cannot listen on 127.0.0.1:{port} (try another --port)"), e))?;
    let addr = listener.local_addr().map_err(|e| Error::io("cannot read the server address", e))?;
    println!("tome: serving {} at http://{addr}/ (Ctrl-C to stop)", root.display());
    let live = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        if live.load(Ordering::Acquire) >= MAX_CONNECTIONS {
            continue; // dropped: closed
        }
        live.fetch_add(1, Ordering::AcqRel);
        let (root, live_here) = (root.clone(), Arc::clone(&live));
        let spawned = std::thread::Builder::new().stack_size(256 << 10).spawn(move || {
            // A client that goes away mid-response is not our error to report.
            let _ = handle(stream, &root, csp, addr);
            live_here.fetch_sub(1, Ordering::AcqRel);
        });
        if spawned.is_err() {
            // No thread to be had (the connection was dropped with the closure): serve the others.
            live.fetch_sub(1, Ordering::AcqRel);
        }
    }
    Ok(())
}

/// `web/` of the current directory when run from the repository, else of the source tree it was built from.
pub fn app_root() -> PathBuf {
    let here = PathBuf::from("web");
    if here.join("index.html").is_file() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web")
}

fn handle(mut stream: TcpStream, root: &Path, csp: &str, addr: SocketAddr) -> std::io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?).take(MAX_HEADERS);
    let Some(line) = bounded_line(&mut reader)? else {
        return respond(&mut stream, csp, "431 Request Header Fields Too Large", b"request too large\n");
    };
    let mut host = None;
    loop {
        let Some(header) = bounded_line(&mut reader)? else {
            return respond(&mut stream, csp, "431 Request Header Fields Too Large", b"headers too large\n");
        };
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("host")
        {
            host = Some(value.trim().to_string());
        }
    }
    if !host.as_deref().is_some_and(|h| is_this_host(h, addr)) {
        return respond(&mut stream, csp, "421 Misdirected Request", b"unknown Host\n");
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, csp, "405 Method Not Allowed", b"only GET and HEAD\n");
    }
    let file = resolve(root, target).and_then(|path| Some((std::fs::File::open(&path).ok()?, path)));
    let Some((file, path)) = file else {
        return respond(&mut stream, csp, "404 Not Found", b"not found\n");
    };
    let len = file.metadata()?.len();
    let head = header(csp, "200 OK", content_type(&path), len);
    stream.write_all(head.as_bytes())?;
    if method == "GET" {
        // Streamed: a slow reader of the model holds a small buffer, not the file.
        std::io::copy(&mut file.take(len), &mut stream)?;
    }
    stream.flush()
}

/// One line of at most [`MAX_LINE`] bytes; None when it is longer or the headers' budget ran out.
fn bounded_line(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = reader.take(MAX_LINE).read_until(b'\n', &mut line)?;
    if n == 0 || line.last() != Some(&b'\n') {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// Whether a Host header names this server: its loopback address or `localhost`, with its port.
fn is_this_host(host: &str, addr: SocketAddr) -> bool {
    let port = addr.port().to_string();
    let Some((name, p)) = host.rsplit_once(':') else { return false };
    p == port && matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// The file a request path names, never outside `root`; directories give their index.html.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    // Only plain names, none hidden (.git, .env): dotfiles are not the app's to serve.
    let plain = |c: Component| matches!(c, Component::Normal(n) if !n.to_string_lossy().starts_with('.'));
    if !rel.components().all(plain) {
        return None;
    }
    // The model (98 MB, git-ignored) stays in assets/ next to the app folder: /model/<file>.gguf.
    if let Ok(file) = rel.strip_prefix("model") {
        let assets = root.join("../assets");
        let full = assets.join(file);
        let gguf = file.extension().is_some_and(|e| e == "gguf") && file.components().count() == 1;
        return (gguf && full.is_file() && inside(&assets, &full)).then_some(full);
    }
    let mut full = root.join(rel);
    if full.is_dir() {
        full.push("index.html");
    }
    (full.is_file() && inside(root, &full)).then_some(full)
}

/// Whether `path`, symlinks followed, still lies inside `dir`.
fn inside(dir: &Path, path: &Path) -> bool {
    match (dir.canonicalize(), path.canonicalize()) {
        (Ok(dir), Ok(path)) => path.starts_with(dir),
        _ => false,
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // A `%` that starts no escape is itself (browsers send `100%.pdf` as written).
        let escape =
            bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        if let (b'%', Some(byte)) = (bytes[i], escape) {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ttf" => "font/ttf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ico" => "image/x-icon",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "pfb" => "application/x-font-type1",
        _ => "application/octet-stream",
    }
}

fn header(csp: &str, status: &str, kind: &str, len: u64) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len}\r\nContent-Security-Policy: {csp}\r\n\
         X-Content-Type-Options: nosniff\r\nCross-Origin-Opener-Policy: same-origin\r\n\
         Cross-Origin-Embedder-Policy: require-corp\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
    )
}

/// A short plain-text response (the errors).
fn respond(stream: &mut TcpStream, csp: &str, status: &str, body: &[u8]) -> std::io::Result<()> {
    let head = header(csp, status, "text/plain", body.len() as u64);
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_app_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
        assert_eq!(resolve(&root, "/js/app.js?v=1"), Some(root.join("js/app.js")));
        assert_eq!(resolve(&root, "/../Cargo.toml"), None);
        assert_eq!(resolve(&root, "/%2e%2e/Cargo.toml"), None);
        assert_eq!(resolve(&root, "/no-such-file"), None);
    }

    #[test]
    fn dotfiles_and_symlinks_out_of_the_folder_are_not_served() {
        let dir = std::env::temp_dir().join(format!("tome-serve-test-{}", std::process::id()));
        let root = dir.join("site");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".env"), "SECRET=1").unwrap();
        std::fs::write(root.join(".git/config"), "[core]").unwrap();
        std::fs::write(root.join("page.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("outside.txt"), "private").unwrap();
        std::os::unix::fs::symlink(dir.join("outside.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("page.html"), root.join("alias.html")).unwrap();
        assert_eq!(resolve(&root, "/page.html"), Some(root.join("page.html")));
        assert_eq!(resolve(&root, "/alias.html"), Some(root.join("alias.html")), "a link inside is fine");
        assert_eq!(resolve(&root, "/.env"), None);
        assert_eq!(resolve(&root, "/.git/config"), None);
        assert_eq!(resolve(&root, "/link.txt"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_this_server_is_a_valid_host() {
        let addr: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        assert!(is_this_host("127.0.0.1:8123", addr));
        assert!(is_this_host("localhost:8123", addr));
        assert!(!is_this_host("evil.example:8123", addr));
        assert!(!is_this_host("127.0.0.1:80", addr));
        assert!(!is_this_host("127.0.0.1", addr));
    }

    #[test]
    fn lines_are_bounded() {
        let long = vec![b'a'; 20_000];
        assert_eq!(bounded_line(&mut &long[..]).unwrap(), None);
        assert_eq!(
            bounded_line(&mut &b"GET / HTTP/1.1\r\nHost: x\r\n"[..]).unwrap().as_deref(),
            Some("GET / HTTP/1.1\r\n")
        );
    }
}
