//! The container's network: cluster DNS (`nslookup`), and HTTP to port 80 (`curl`, `wget`), which nginx
//! answers from its document root in whichever pod the name or address leads to, writing each request to
//! that container's log as nginx's access log (and a refusal to its error log).

use k8s_openapi::api::core::v1::{Pod, Service};

use super::{ContainerFs, Image, Machine};
use crate::controller::endpointslice::slices_of;
use crate::dns::{resolve, CLUSTER_DOMAIN, DNS_SERVICE_IP};
use crate::shell::{Io, Session};
use crate::vfs::Entry;

/// nginx's document root in the images that serve one.
const DOCUMENT_ROOT: &str = "/usr/share/nginx/html";

/// BusyBox 1.28's `nslookup`: the server, then every address with the name it maps back to.
pub fn nslookup(machine: &mut Machine, args: &[String], io: &mut Io) -> i32 {
    let Some(query) = args.first() else {
        io.err("BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n");
        return 1;
    };
    io.out(&format!(
        "Server:    {DNS_SERVICE_IP}\nAddress 1: {DNS_SERVICE_IP} kube-dns.kube-system.svc.{CLUSTER_DOMAIN}\n\n"
    ));
    let namespace = machine.pod.metadata.namespace.clone().unwrap_or_default();
    match resolve(machine.cluster.store(), query, &namespace) {
        Some(addresses) if !addresses.is_empty() => {
            io.out(&format!("Name:      {query}\n"));
            for (index, address) in addresses.iter().enumerate() {
                let name = address
                    .name
                    .as_ref()
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default();
                io.stdout
                    .push_str(&format!("Address {}: {}{name}\n", index + 1, address.ip));
            }
            0
        }
        _ => {
            io.error(format!("nslookup: can't resolve '{query}'"));
            1
        }
    }
}

/// Why a request got no answer.
enum Unreached {
    /// The name does not resolve.
    Unresolved,
    /// Nothing listens at the address (no such pod, its server not running, another port): refused.
    Refused(String),
}

/// A request as a client sends it.
struct Request {
    host: String,
    port: u16,
    path: String,
    agent: String,
    head: bool,
}

/// nginx's answer.
struct Response {
    status: u16,
    body: String,
    location: Option<String>,
    server: String,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Internal Server Error",
    }
}

/// Splits `http://host[:port]/path` (the scheme is optional); `None` for a scheme nothing here speaks.
fn parse_url(url: &str) -> Option<(String, u16, String)> {
    let (default_port, rest) = match url.split_once("://") {
        Some(("http", rest)) => (80, rest),
        Some(("https", rest)) => (443, rest),
        Some(_) => return None,
        None => (80, url),
    };
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], rest[at..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (authority, default_port),
    };
    Some((host.to_string(), port, path))
}

/// Sends `request` from the machine's pod: resolves the host, finds the pod behind the address, and lets its
/// nginx answer; the request is written to that container's log. Returns the address connected to with the
/// response.
fn send(machine: &mut Machine, request: &Request) -> Result<(String, Response), Unreached> {
    let own_ip = machine
        .pod
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default();
    let namespace = machine.pod.metadata.namespace.clone().unwrap_or_default();
    let (ip, client) = if request.host == "localhost" || request.host == "127.0.0.1" {
        ("127.0.0.1".to_string(), "127.0.0.1".to_string())
    } else if is_address(&request.host) {
        (request.host.clone(), own_ip.clone())
    } else {
        let addresses = resolve(machine.cluster.store(), &request.host, &namespace)
            .filter(|a| !a.is_empty())
            .ok_or(Unreached::Unresolved)?;
        (addresses[0].ip.clone(), own_ip.clone())
    };
    let target = if ip == "127.0.0.1" {
        Some(machine.pod.clone())
    } else {
        pod_behind(machine, &ip)
    };
    let refused = || Unreached::Refused(ip.clone());
    let pod = target.ok_or_else(refused)?;
    let container = serving_container(&pod).ok_or_else(refused)?;
    if request.port != 80 {
        return Err(refused());
    }
    let image = Image::of(&super::image_of(&pod, &container));
    let version = image.nginx.clone().ok_or_else(refused)?;
    let mut vfs = machine.cluster.vfs().clone();
    let response = {
        let fs = ContainerFs::new(&mut vfs, machine.cluster.store(), &pod, &container);
        serve(&fs, &request.path, &version)
    };
    let log = access_log(
        machine, &pod, &container, &client, request, &response, &image,
    );
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    machine.cluster.vfs_mut().append_log(&uid, &container, &log);
    Ok((ip, response))
}

fn is_address(host: &str) -> bool {
    host.split('.').count() == 4 && host.split('.').all(|o| o.parse::<u8>().is_ok())
}

/// The pod an address leads to: a pod's own IP, or a ClusterIP Service's, which kube-proxy sends to one of
/// its ready endpoints (chosen by the instant, as its random choice here must be reproducible).
fn pod_behind(machine: &Machine, ip: &str) -> Option<Pod> {
    let store = machine.cluster.store();
    let service = store
        .list::<Service>()
        .find(|s| s.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some(ip));
    let ip = match service {
        Some(service) => {
            let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
            let name = service.metadata.name.as_deref().unwrap_or_default();
            let ready: Vec<String> = slices_of(store, namespace, name)
                .flat_map(|slice| slice.endpoints.iter())
                .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
                .flat_map(|e| e.addresses.first().cloned())
                .collect();
            if ready.is_empty() {
                return None;
            }
            let pick = machine.cluster.now().as_millis() as usize % ready.len();
            ready[pick].clone()
        }
        None => ip.to_string(),
    };
    store
        .list::<Pod>()
        .find(|p| p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip.as_str()))
        .cloned()
}

/// The container of the pod whose image is nginx and which is running.
fn serving_container(pod: &Pod) -> Option<String> {
    let status = pod.status.as_ref()?;
    pod.spec.as_ref()?.containers.iter().find_map(|container| {
        let running = status.container_statuses.iter().flatten().any(|c| {
            c.name == container.name && c.state.as_ref().is_some_and(|s| s.running.is_some())
        });
        let image = Image::of(container.image.as_deref().unwrap_or_default());
        (running && image.nginx.is_some()).then(|| container.name.clone())
    })
}

/// nginx's static file handler with autoindex off: a directory's `index.html`, else 403; a directory named
/// without its slash is redirected to it; a missing file is 404.
fn serve(fs: &ContainerFs, path: &str, version: &str) -> Response {
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let file = format!("{DOCUMENT_ROOT}{path}");
    let server = format!("nginx/{version}");
    let page = |status: u16| Response {
        status,
        body: error_page(status, &server, version),
        location: None,
        server: server.clone(),
    };
    if path.ends_with('/') {
        return match fs.entry(&format!("{file}index.html")) {
            Some(Entry::File(body)) => Response {
                status: 200,
                body,
                location: None,
                server: server.clone(),
            },
            _ if fs.entry(file.trim_end_matches('/')) == Some(Entry::Dir)
                || file.trim_end_matches('/') == DOCUMENT_ROOT =>
            {
                page(403)
            }
            _ => page(404),
        };
    }
    match fs.entry(&file) {
        Some(Entry::File(body)) => Response {
            status: 200,
            body,
            location: None,
            server,
        },
        Some(Entry::Dir) => Response {
            location: Some(format!("{path}/")),
            ..page(301)
        },
        _ => page(404),
    }
}

/// nginx's built-in error page, with its CRLF line ends; versions before 1.19 set a white background.
fn error_page(status: u16, server: &str, version: &str) -> String {
    let title = format!("{status} {}", reason(status));
    let body = if super::image::version_number(version) < (1, 19) {
        "<body bgcolor=\"white\">"
    } else {
        "<body>"
    };
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n{body}\r\n<center><h1>{title}</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// The lines nginx writes for a request: the access log line (the official image's `main` format, which adds
/// X-Forwarded-For to `combined`), and for a refusal the error log line first.
fn access_log(
    machine: &Machine,
    pod: &Pod,
    container: &str,
    client: &str,
    request: &Request,
    response: &Response,
    image: &Image,
) -> String {
    let now = machine.cluster.now().to_k8s().0;
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let served = machine
        .cluster
        .vfs()
        .log(&uid, container)
        .lines()
        .filter(|l| l.contains(" - - ["))
        .count();
    let method = if request.head { "HEAD" } else { "GET" };
    let line = format!("{method} {} HTTP/1.1", request.path);
    let mut log = String::new();
    let file = format!("{DOCUMENT_ROOT}{}", request.path);
    let error = match response.status {
        403 => Some(format!("directory index of \"{file}\" is forbidden")),
        404 if request.path.ends_with('/') => Some(format!(
            "\"{file}index.html\" is not found (2: No such file or directory)"
        )),
        404 => Some(format!(
            "open() \"{file}\" failed (2: No such file or directory)"
        )),
        _ => None,
    };
    if let Some(error) = error {
        log.push_str(&format!(
            "{} [error] 29#29: *{} {error}, client: {client}, server: localhost, request: \"{line}\", host: \"{}\"\n",
            now.strftime("%Y/%m/%d %H:%M:%S"),
            served + 1,
            request.host
        ));
    }
    let bytes = if request.head { 0 } else { response.body.len() };
    let forwarded = if image.env.is_empty() { "" } else { " \"-\"" };
    log.push_str(&format!(
        "{client} - - [{}] \"{line}\" {} {bytes} \"-\" \"{}\"{forwarded}\n",
        now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        response.status,
        request.agent
    ));
    log
}

/// The response's header block, CRLF-terminated, as `curl -i` shows it.
fn headers(response: &Response, machine: &Machine, host: &str) -> String {
    let now = machine.cluster.now().to_k8s().0;
    let mut text = format!(
        "HTTP/1.1 {} {}\r\nServer: {}\r\nDate: {}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: keep-alive\r\n",
        response.status,
        reason(response.status),
        response.server,
        now.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        response.body.len()
    );
    if let Some(location) = &response.location {
        text.push_str(&format!("Location: http://{host}{location}\r\n"));
    }
    text.push_str("\r\n");
    text
}

/// curl's options that this curl takes.
#[derive(Default)]
struct CurlOptions {
    silent: bool,
    show_error: bool,
    fail: bool,
    include: bool,
    head: bool,
    follow: bool,
    output: Option<String>,
    url: Option<String>,
}

fn curl_options(args: &[String]) -> Result<CurlOptions, String> {
    let mut options = CurlOptions::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "--silent" => options.silent = true,
            "--show-error" => options.show_error = true,
            "--fail" => options.fail = true,
            "--include" => options.include = true,
            "--head" => options.head = true,
            "--location" => options.follow = true,
            "--output" => options.output = words.next().cloned(),
            long if long.starts_with("--") => return Err(long.to_string()),
            short if short.starts_with('-') && short.len() > 1 => {
                for (at, flag) in short[1..].char_indices() {
                    match flag {
                        's' => options.silent = true,
                        'S' => options.show_error = true,
                        'f' => options.fail = true,
                        'i' => options.include = true,
                        'I' => options.head = true,
                        'L' => options.follow = true,
                        'v' => {}
                        'o' => {
                            let rest = &short[at + 2..];
                            options.output = if rest.is_empty() {
                                words.next().cloned()
                            } else {
                                Some(rest.to_string())
                            };
                            break;
                        }
                        other => return Err(format!("-{other}")),
                    }
                }
            }
            url => options.url = Some(url.to_string()),
        }
    }
    Ok(options)
}

/// curl: the body on stdout (headers first with `-i`, alone with `-I`), curl's numbered errors on stderr
/// unless `-s` (and `-S` brings them back), `-f` turning an HTTP error into exit 22.
pub fn curl(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let version = machine.image.curl.unwrap_or_default();
    let modern = super::image::version_number(version) >= (7, 84);
    let options = match curl_options(args) {
        Ok(options) => options,
        Err(option) => {
            io.error(format!("curl: option {option}: is unknown"));
            io.error("curl: try 'curl --help' or 'curl --manual' for more information");
            return 2;
        }
    };
    let complain = |io: &mut Io, message: String| {
        if !options.silent || options.show_error {
            io.error(format!("curl: {message}"));
        }
    };
    let Some(url) = options.url.clone() else {
        io.error("curl: no URL specified!");
        io.error("curl: try 'curl --help' or 'curl --manual' for more information");
        return 2;
    };
    let Some((host, port, mut path)) = parse_url(&url) else {
        complain(
            io,
            "(1) Protocol not supported or disabled in libcurl".into(),
        );
        return 1;
    };
    let mut redirects = 0;
    loop {
        let request = Request {
            host: host.clone(),
            port,
            path: path.clone(),
            agent: format!("curl/{version}"),
            head: options.head,
        };
        let response = match send(machine, &request) {
            Ok((_, response)) => response,
            Err(Unreached::Unresolved) => {
                complain(io, format!("(6) Could not resolve host: {host}"));
                return 6;
            }
            Err(Unreached::Refused(_)) => {
                // curl 7.84 and later count the time taken and say less about why.
                let message = if modern {
                    format!("(7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server")
                } else {
                    format!("(7) Failed to connect to {host} port {port}: Connection refused")
                };
                complain(io, message);
                return 7;
            }
        };
        if let (true, Some(location)) = (options.follow && redirects < 50, &response.location) {
            path = location.clone();
            redirects += 1;
            continue;
        }
        if options.fail && response.status >= 400 {
            let detail = if modern {
                response.status.to_string()
            } else {
                format!("{} {}", response.status, reason(response.status))
            };
            complain(
                io,
                format!("(22) The requested URL returned error: {detail}"),
            );
            return 22;
        }
        let mut text = String::new();
        if options.include || options.head {
            text.push_str(&headers(&response, machine, &host));
        }
        if !options.head {
            text.push_str(&response.body);
        }
        return match &options.output {
            Some(file) if file != "-" => {
                let path = session.absolute(file);
                match machine.with_fs(|fs| fs.write(&path, &text, false)) {
                    Ok(()) => 0,
                    Err(_) => {
                        complain(io, "(23) Failure writing output to destination".into());
                        23
                    }
                }
            }
            _ => {
                io.out(&text);
                0
            }
        };
    }
}

/// BusyBox 1.28's wget: `-q`, `-O FILE` (`-O-` for stdout); the body saved to the URL's file name, else
/// `index.html`.
pub fn wget(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let mut quiet = false;
    let mut output: Option<String> = None;
    let mut url = None;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-q" => quiet = true,
            "-O" => output = words.next().cloned(),
            "-qO-" | "-qO" => {
                quiet = true;
                output = Some(word[3..].to_string()).filter(|o| !o.is_empty());
                if output.is_none() {
                    output = words.next().cloned();
                }
            }
            flag if flag.starts_with("-O") => output = Some(flag[2..].to_string()),
            other => url = Some(other.to_string()),
        }
    }
    let Some((host, port, path)) = url.as_deref().and_then(parse_url) else {
        io.err("BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: wget [-c|--continue] [--spider] [-q|--quiet] [-O|--output-document FILE]\n\t[--header 'header: value'] [-Y|--proxy on/off] [-P DIR]\n\t[-S|--server-response] [-U|--user-agent AGENT] [-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n");
        return 1;
    };
    let request = Request {
        host: host.clone(),
        port,
        path: path.clone(),
        agent: "Wget".into(),
        head: false,
    };
    let (ip, response) = match send(machine, &request) {
        Ok(answer) => answer,
        Err(Unreached::Unresolved) => {
            io.error(format!("wget: bad address '{host}'"));
            return 1;
        }
        Err(Unreached::Refused(ip)) => {
            if !quiet {
                io.error(format!("Connecting to {host} ({ip}:{port})"));
            }
            io.error(format!(
                "wget: can't connect to remote host ({ip}): Connection refused"
            ));
            return 1;
        }
    };
    if !quiet {
        io.error(format!("Connecting to {host} ({ip}:{port})"));
    }
    if response.status >= 400 {
        io.error(format!(
            "wget: server returned error: HTTP/1.1 {} {}",
            response.status,
            reason(response.status)
        ));
        return 1;
    }
    let name = output.unwrap_or_else(|| {
        path.rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or("index.html")
            .to_string()
    });
    if name == "-" {
        io.out(&response.body);
    } else {
        let file = session.absolute(&name);
        if machine.look(|fs| fs.entry(&file)).is_some() {
            io.error(format!("wget: can't open '{name}': File exists"));
            return 1;
        }
        if let Err(error) = machine.with_fs(|fs| fs.write(&file, &response.body, false)) {
            io.error(format!("wget: can't open '{name}': {}", error.text()));
            return 1;
        }
    }
    if !quiet {
        io.error(format!(
            "{:<20} 100% |{}| {:>5}  0:00:00 ETA",
            name,
            "*".repeat(31),
            response.body.len()
        ));
    }
    0
}
