//! Reads a socket option of another process's TCP connection: the connection is found in
//! `/proc/<pid>/net/tcp` by its two addresses, its descriptor in `/proc/<pid>/fd` by inode, and
//! a duplicate of that descriptor is taken with `pidfd_getfd` (Linux 5.6+, same user).

use std::net::SocketAddr;

use rustix::process::{Pid, PidfdFlags, PidfdGetfdFlags, pidfd_getfd, pidfd_open};

/// Whether `pid`'s end of the IPv4 TCP connection from `local` to `remote` (as that process
/// sees them) has `TCP_NODELAY` set.
pub fn tcp_nodelay(pid: u32, local: SocketAddr, remote: SocketAddr) -> bool {
    let inode = connection_inode(pid, local, remote)
        .unwrap_or_else(|| panic!("process {pid} has no TCP connection {local} -> {remote}"));
    let fd = descriptor_of(pid, inode)
        .unwrap_or_else(|| panic!("process {pid} holds no descriptor for socket inode {inode}"));
    let raw_pid = i32::try_from(pid).expect("a pid");
    let pidfd = pidfd_open(Pid::from_raw(raw_pid).expect("a pid"), PidfdFlags::empty())
        .expect("pidfd_open");
    let socket = pidfd_getfd(&pidfd, fd, PidfdGetfdFlags::empty())
        .expect("pidfd_getfd (needs the same user and ptrace permission)");
    rustix::net::sockopt::tcp_nodelay(&socket).expect("getsockopt TCP_NODELAY")
}

/// `0100007F:1F90` for 127.0.0.1:8080, as the kernel prints IPv4 addresses in `net/tcp`.
fn proc_address(address: SocketAddr) -> String {
    let SocketAddr::V4(v4) = address else {
        panic!("only IPv4 connections are looked up: {address}")
    };
    format!(
        "{:08X}:{:04X}",
        u32::from_le_bytes(v4.ip().octets()),
        v4.port()
    )
}

fn connection_inode(pid: u32, local: SocketAddr, remote: SocketAddr) -> Option<u64> {
    let table = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")).expect("net/tcp");
    let (local, remote) = (proc_address(local), proc_address(remote));
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&local.as_str()) && fields.get(2) == Some(&remote.as_str()))
            .then(|| fields.get(9)?.parse().ok())
            .flatten()
    })
}

fn descriptor_of(pid: u32, inode: u64) -> Option<i32> {
    let wanted = format!("socket:[{inode}]");
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the process's fd dir")
        .filter_map(Result::ok)
        .find(|entry| {
            std::fs::read_link(entry.path()).is_ok_and(|target| target.to_str() == Some(&wanted))
        })
        .and_then(|entry| entry.file_name().to_str()?.parse().ok())
}
