package dev.wharf.grpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;

/**
 * A unary-only gRPC server over HTTP/2 (RFC 9113) on JDK blocking sockets, with no dependency beyond the JDK: it
 * exists so that an OTLP/gRPC receiver does not load grpc-java and Netty (about 1,300 classes and 14 MiB of
 * idle memory).
 *
 * <p>Threads: one acceptor, one reader per connection (512 KiB stack), one shared timer for keepalive, idle and age
 * limits; handlers run on the given executor. At most {@link Builder#maxConnections} connections (default
 * {@value #DEFAULT_MAX_CONNECTIONS}); beyond that a new connection is accepted and closed at once. Plaintext
 * connections must use HTTP/2 "prior knowledge" (as gRPC clients do); TLS connections negotiate "h2" by ALPN.
 */
public final class GrpcServer {
  public static final int DEFAULT_MAX_CONNECTIONS = 256;
  /** grpc-java's default: a larger request header list is refused. */
  public static final int MAX_HEADER_LIST_SIZE = 8192;
  /** Streams per connection when no limit is configured: a bound on buffered requests, as every buffer has. */
  public static final int DEFAULT_STREAM_LIMIT = 1024;

  static final Logger LOG = Logger.getLogger("wharf.grpc");
  private static final long CONNECTION_STACK_SIZE = 512 * 1024;

  /**
   * gRPC keepalive settings (grpc-java's names); a null duration means the gRPC default: server ping after 2 h
   * without reads, 20 s ping timeout, no idle or age limit, clients may ping every 5 min, no pings without calls.
   */
  public record Keepalive(Duration time, Duration timeout, Duration maxConnectionIdle, Duration maxConnectionAge,
      Duration maxConnectionAgeGrace, Duration permitKeepAliveTime, boolean permitWithoutStream) {
    public static final Keepalive DEFAULTS = new Keepalive(null, null, null, null, null, null, false);
  }

  final InetSocketAddress address;
  final SSLContext sslContext;
  final boolean requireClientAuth;
  final int maxInboundMessageSize;
  final int maxConcurrentStreams;
  final int streamLimit;
  final int maxConnections;
  final int receiveBufferSize;
  final int sendBufferSize;
  final int initialWindowSize;
  final ExecutorService executor;
  private final Map<String, UnaryHandler> methods;
  private final IntConsumer callCompleted;
  // keepalive, in nanoseconds; Long.MAX_VALUE = never
  final long keepaliveTimeNanos;
  final long keepaliveTimeoutNanos;
  final long maxIdleNanos;
  final long maxAgeNanos;
  final long maxAgeGraceNanos;
  final long permitKeepaliveNanos;
  final boolean permitWithoutStream;
  private final long tickNanos;

  private final Set<Http2Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionIds = new AtomicInteger();
  private volatile boolean stopping;
  private volatile boolean overCapLogged;
  private ServerSocket serverSocket;
  private Thread acceptor;
  private ScheduledThreadPoolExecutor timer;
  private ScheduledFuture<?> sweep;

  private GrpcServer(Builder b) {
    address = b.address;
    sslContext = b.sslContext;
    requireClientAuth = b.requireClientAuth;
    maxInboundMessageSize = b.maxInboundMessageSize;
    maxConcurrentStreams = b.maxConcurrentStreams;
    streamLimit = b.maxConcurrentStreams > 0 ? b.maxConcurrentStreams : DEFAULT_STREAM_LIMIT;
    maxConnections = b.maxConnections;
    receiveBufferSize = b.receiveBufferSize;
    sendBufferSize = b.sendBufferSize;
    initialWindowSize = b.initialWindowSize;
    executor = b.executor;
    methods = Map.copyOf(b.methods);
    callCompleted = b.callCompleted;
    Keepalive k = b.keepalive;
    keepaliveTimeNanos = nanos(k.time(), TimeUnit.HOURS.toNanos(2));
    keepaliveTimeoutNanos = nanos(k.timeout(), TimeUnit.SECONDS.toNanos(20));
    maxIdleNanos = nanos(k.maxConnectionIdle(), Long.MAX_VALUE);
    maxAgeNanos = nanos(k.maxConnectionAge(), Long.MAX_VALUE);
    maxAgeGraceNanos = nanos(k.maxConnectionAgeGrace(), Long.MAX_VALUE);
    permitKeepaliveNanos = nanos(k.permitKeepAliveTime(), TimeUnit.MINUTES.toNanos(5));
    permitWithoutStream = k.permitWithoutStream();
    long shortest = Math.min(Math.min(keepaliveTimeNanos, keepaliveTimeoutNanos),
        Math.min(Math.min(maxIdleNanos, maxAgeNanos), maxAgeGraceNanos));
    tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 4));
  }

  private static long nanos(Duration d, long dflt) {
    if (d == null || d.isZero() || d.isNegative()) {
      return dflt;
    }
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds and starts accepting; a bind failure is an IOException naming the address. */
  public synchronized void start() throws IOException {
    if (serverSocket != null) {
      throw new IllegalStateException("already started");
    }
    ServerSocket ss;
    if (sslContext != null) {
      SSLServerSocket s = (SSLServerSocket) sslContext.getServerSocketFactory().createServerSocket();
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      p.setNeedClientAuth(requireClientAuth);
      s.setSSLParameters(p);
      ss = s;
    } else {
      ss = new ServerSocket();
    }
    try {
      ss.setReuseAddress(true);
      if (receiveBufferSize > 0) {
        ss.setReceiveBufferSize(receiveBufferSize);
      }
      ss.bind(address, 128);
    } catch (IOException e) {
      ss.close();
      throw new IOException("cannot listen on " + address.getHostString() + ":" + address.getPort() + ": "
          + e.getMessage(), e);
    }
    serverSocket = ss;
    timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(null, r, "wharf-grpc-timer", 256 * 1024);
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    sweep = timer.scheduleWithFixedDelay(this::sweep, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    acceptor = new Thread(null, this::acceptLoop, "wharf-grpc-acceptor-" + ss.getLocalPort(), 256 * 1024);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The bound port (useful with port 0); -1 before start. */
  public int port() {
    ServerSocket ss = serverSocket;
    return ss == null ? -1 : ss.getLocalPort();
  }

  /** Connections currently open (for tests and diagnostics). */
  public int connectionCount() {
    return connections.size();
  }

  private void acceptLoop() {
    ServerSocket ss = serverSocket;
    while (!stopping) {
      Socket s;
      try {
        s = ss.accept();
      } catch (IOException e) {
        if (stopping || ss.isClosed()) {
          return;
        }
        // e.g. out of file descriptors: do not spin
        LOG.log(Level.FINE, "gRPC accept failed: {0}", e.getMessage());
        sleepQuietly(50);
        continue;
      }
      if (connections.size() >= maxConnections) {
        if (!overCapLogged) {
          overCapLogged = true;
          LOG.log(Level.FINE, "gRPC connection limit {0} reached: closing new connections", maxConnections);
        }
        closeQuietly(s);
        continue;
      }
      try {
        s.setTcpNoDelay(true);
        if (sendBufferSize > 0) {
          s.setSendBufferSize(sendBufferSize);
        }
      } catch (SocketException e) {
        closeQuietly(s);
        continue;
      }
      int id = connectionIds.incrementAndGet();
      Http2Connection c = new Http2Connection(this, s, id);
      connections.add(c);
      // 512 KiB, as the image's -Xss: when the executor is saturated a handler (protobuf parsing, the pipeline)
      // runs on this thread. Untouched stack pages cost no memory.
      Thread t = new Thread(null, c, "wharf-grpc-conn-" + id, CONNECTION_STACK_SIZE);
      t.setDaemon(true);
      t.start();
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Http2Connection c : connections) {
      try {
        c.tick(now);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "gRPC connection timer failed", e);
      }
    }
  }

  UnaryHandler method(String fullMethodName) {
    return methods.get(fullMethodName);
  }

  boolean stopping() {
    return stopping;
  }

  void completed(int code) {
    try {
      callCompleted.accept(code);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "gRPC callCompleted listener failed", e);
    }
  }

  void connectionClosed(Http2Connection c) {
    connections.remove(c);
    synchronized (connections) {
      connections.notifyAll();
    }
  }

  /**
   * Stops accepting, sends GOAWAY to every connection, lets calls in flight finish until {@code deadlineNanos}
   * (a {@link System#nanoTime} value), then closes whatever is left.
   */
  public void shutdown(long deadlineNanos) {
    ServerSocket ss;
    synchronized (this) {
      if (serverSocket == null || stopping) {
        return;
      }
      stopping = true;
      ss = serverSocket;
    }
    closeQuietly(ss);
    for (Http2Connection c : connections) {
      c.drain("server shutdown");
    }
    synchronized (connections) {
      while (!connections.isEmpty()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          connections.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (Http2Connection c : connections) {
      c.close();
    }
    sweep.cancel(false);
    timer.shutdownNow();
    try {
      acceptor.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      // closing: nothing to do
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link GrpcServer}; {@link #bind}, {@link #executor} and at least one {@link #unary} are required. */
  public static final class Builder {
    private InetSocketAddress address;
    private SSLContext sslContext;
    private boolean requireClientAuth;
    private int maxInboundMessageSize = 4 * 1024 * 1024;
    private int maxConcurrentStreams;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int receiveBufferSize;
    private int sendBufferSize;
    private int initialWindowSize = 1024 * 1024;
    private Keepalive keepalive = Keepalive.DEFAULTS;
    private ExecutorService executor;
    private final Map<String, UnaryHandler> methods = new HashMap<>();
    private IntConsumer callCompleted = code -> { };

    private Builder() {}

    public Builder bind(InetSocketAddress address) {
      this.address = address;
      return this;
    }

    /** TLS with ALPN "h2"; {@code requireClientAuth} asks for and verifies a client certificate (mTLS). */
    public Builder tls(SSLContext context, boolean requireClientAuth) {
      this.sslContext = context;
      this.requireClientAuth = requireClientAuth;
      return this;
    }

    /** Largest request message (after decompression) in bytes; default 4 MiB as grpc-java. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxInboundMessageSize must be positive");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /** SETTINGS_MAX_CONCURRENT_STREAMS; 0 = not advertised (then {@value #DEFAULT_STREAM_LIMIT} are allowed). */
    public Builder maxConcurrentStreams(int streams) {
      if (streams < 0) {
        throw new IllegalArgumentException("maxConcurrentStreams must not be negative");
      }
      this.maxConcurrentStreams = streams;
      return this;
    }

    public Builder maxConnections(int connections) {
      if (connections <= 0) {
        throw new IllegalArgumentException("maxConnections must be positive");
      }
      this.maxConnections = connections;
      return this;
    }

    /** Socket buffer sizes in bytes; 0 leaves the OS default. */
    public Builder socketBuffers(int receive, int send) {
      this.receiveBufferSize = Math.max(0, receive);
      this.sendBufferSize = Math.max(0, send);
      return this;
    }

    /** Inbound flow-control window of each stream (and at least of the connection); tests use small ones. */
    Builder initialWindowSize(int bytes) {
      this.initialWindowSize = bytes;
      return this;
    }

    public Builder keepalive(Keepalive keepalive) {
      this.keepalive = keepalive == null ? Keepalive.DEFAULTS : keepalive;
      return this;
    }

    /** Runs the handlers. The server does not shut it down. */
    public Builder executor(ExecutorService executor) {
      this.executor = executor;
      return this;
    }

    /** Serves {@code fullMethodName} ("package.Service/Method"). */
    public Builder unary(String fullMethodName, UnaryHandler handler) {
      methods.put(fullMethodName, handler);
      return this;
    }

    /** Told the status code of every finished call, including those the transport refused. */
    public Builder callCompleted(IntConsumer listener) {
      this.callCompleted = listener;
      return this;
    }

    public GrpcServer build() {
      if (address == null || executor == null) {
        throw new IllegalStateException("bind address and executor are required");
      }
      return new GrpcServer(this);
    }
  }
}
