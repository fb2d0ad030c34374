//! `tome serve`: the built web app (web/, with web/pkg from scripts/build-web.sh) on 127.0.0.1.
//!
//! A small static file server on std::net, one thread per connection. It serves only files under
//! the app folder (and the model file of `assets/` at `/model/<file>.gguf`), with a Content-Security-Policy that allows this origin alone, and prints the URL.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

use tome::{Error, Result};

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
    for stream in listener.incoming().flatten() {
        let root = root.clone();
        std::thread::spawn(move || {
            // A client that goes away mid-response is not our error to report.
            let _ = handle(stream, &root, csp);
        });
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

fn handle(mut stream: TcpStream, root: &Path, csp: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    // Skip the headers; the files are the same for every client.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            csp,
            "405 Method Not Allowed",
            "text/plain",
            b"only GET and HEAD\n",
            false,
        );
    }
    let Some(path) = resolve(root, target) else {
        return respond(&mut stream, csp, "404 Not Found", "text/plain", b"not found\n", false);
    };
    match std::fs::read(&path) {
        Ok(body) => respond(&mut stream, csp, "200 OK", content_type(&path), &body, method == "HEAD"),
        Err(_) => respond(&mut stream, csp, "404 Not Found", "text/plain", b"not found\n", false),
    }
}

/// The file a request path names, never outside `root`; directories give their index.html.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    // The model (98 MB, git-ignored) stays in assets/ next to the app folder: /model/<file>.gguf.
    if let Ok(file) = rel.strip_prefix("model") {
        let full = root.join("../assets").join(file);
        let gguf = file.extension().is_some_and(|e| e == "gguf") && file.components().count() == 1;
        return (gguf && full.is_file()).then_some(full);
    }
    let mut full = root.join(rel);
    if full.is_dir() {
        full.push("index.html");
    }
    full.is_file().then_some(full)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
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

fn respond(
    stream: &mut TcpStream,
    csp: &str,
    status: &str,
    kind: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nContent-Security-Policy: {csp}\r\n\
         X-Content-Type-Options: nosniff\r\nCross-Origin-Opener-Policy: same-origin\r\n\
         Cross-Origin-Embedder-Policy: require-corp\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
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
}
