//! A TCP proxy on loopback that a test can cut: a bot connected to its database through it loses
//! the database at once (open connections reset, new ones refused) while everything else goes on.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

pub struct TcpProxy {
    pub addr: SocketAddr,
    cut: Arc<AtomicBool>,
    /// Cancelled to reset the connections open now; replaced by a fresh one for the next.
    connections: Arc<Mutex<CancellationToken>>,
    accepting: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// Forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(CancellationToken::new()));
        let accepting = tokio::spawn({
            let (cut, connections) = (cut.clone(), connections.clone());
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    if cut.load(Ordering::Acquire) {
                        continue;
                    }
                    let stop = connections.lock().unwrap().clone();
                    tokio::spawn(forward(client, upstream, stop));
                }
            }
        });
        TcpProxy { addr, cut, connections, accepting }
    }

    /// Resets every open connection and refuses new ones until `heal`.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::Release);
        let mut connections = self.connections.lock().unwrap();
        connections.cancel();
        *connections = CancellationToken::new();
    }

    pub fn heal(&self) {
        self.cut.store(false, Ordering::Release);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.accepting.abort();
        self.connections.lock().unwrap().cancel();
    }
}

async fn forward(mut client: TcpStream, upstream: SocketAddr, stop: CancellationToken) {
    let Ok(mut server) = TcpStream::connect(upstream).await else { return };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = stop.cancelled() => {}
    }
}
