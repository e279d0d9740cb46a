package dev.wharf.testing.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A recording AWS endpoint on loopback for exporter tests, shared by every AWS exporter. For each
 * request it verifies the SigV4 signature against the known test credentials and region
 * ({@link SigV4Verifier}), identifies the operation ({@code X-Amz-Target} for JSON-1.x services,
 * otherwise method and path, e.g. X-Ray's {@code POST /TraceSegments} → {@code PutTraceSegments}),
 * checks the body with the operation's validator (shape and documented limits), records it, and
 * answers with the next scripted {@link Answer} (throttling, 5xx, 4xx, partial results) or, when the
 * script is empty, the operation's success answer.
 *
 * <p>Point clients at it with {@link #uri()} or the environment from {@link #env()} (credentials,
 * region, {@code AWS_ENDPOINT_URL}).
 */
public final class RecordingAwsEndpoint implements AutoCloseable {
  public static final String ACCESS_KEY = "AKIDWHARFTEST0000001";
  public static final String SECRET_KEY = "wharf/test/secret/key/0000000000000000000";

  /** One answer: status, headers and a body computed from the recorded request. */
  public record Answer(int status, Map<String, String> headers, Function<Recorded, String> body) {
    public static Answer json(int status, String body) {
      return new Answer(status, Map.of(), r -> body);
    }

    /** 429 ThrottlingException, with {@code Retry-After} when {@code retryAfterSeconds >= 0}. */
    public static Answer throttling(int retryAfterSeconds) {
      return new Answer(429, retryAfterSeconds >= 0 ? Map.of("Retry-After", Integer.toString(retryAfterSeconds),
          "x-amzn-ErrorType", "ThrottlingException") : Map.of("x-amzn-ErrorType", "ThrottlingException"),
          r -> "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    }

    public static Answer serverError(int status) {
      return new Answer(status, Map.of("x-amzn-ErrorType", "InternalFailure"),
          r -> "{\"__type\":\"InternalFailure\",\"message\":\"scripted " + status + "\"}");
    }

    public static Answer clientError(int status, String code, String message) {
      return new Answer(status, Map.of("x-amzn-ErrorType", code),
          r -> "{\"__type\":\"" + code + "\",\"message\":\"" + message + "\"}");
    }
  }

  /** A validator: the problems of one request of an operation (empty = fine). */
  public interface Validator {
    List<String> validate(Recorded request);
  }

  /** One request as received, with what the endpoint found wrong with it. */
  public record Recorded(
      String operation,
      String method,
      String path,
      Map<String, List<String>> headers,
      byte[] body,
      List<String> problems) {

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public Object json() {
      return Json.parse(bodyText());
    }

    /** For PutTraceSegments: the segment documents, as sent. */
    @SuppressWarnings("unchecked")
    public List<String> traceSegmentDocuments() {
      Object docs = Json.path(json(), "TraceSegmentDocuments");
      return docs == null ? List.of() : (List<String>) docs;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final SigV4Verifier verifier;
  private final String region;
  private final Map<String, Validator> validators = new LinkedHashMap<>();
  private final Map<String, Function<Recorded, String>> successBodies = new LinkedHashMap<>();
  private final Map<String, String> pathOperations = new LinkedHashMap<>();
  private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
  private final Deque<Answer> script = new ArrayDeque<>();

  private RecordingAwsEndpoint(String service, String region, javax.net.ssl.SSLContext tls) throws IOException {
    this.region = region;
    this.verifier = new SigV4Verifier(ACCESS_KEY, SECRET_KEY, region, service);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls != null) {
      com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(loopback, 16);
      https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
      server = https;
    } else {
      server = HttpServer.create(loopback, 16);
    }
    executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "recording-aws-endpoint");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** An endpoint for X-Ray ({@code xray}): PutTraceSegments and PutTelemetryRecords. */
  public static RecordingAwsEndpoint xray(String region) {
    return xray(region, null);
  }

  /**
   * An X-Ray endpoint served over HTTPS with a freshly generated self-signed certificate (made with
   * the JDK's keytool), for testing {@code no_verify_ssl}.
   */
  public static RecordingAwsEndpoint xrayHttps(String region) {
    return xray(region, SelfSignedTls.context());
  }

  private static RecordingAwsEndpoint xray(String region, javax.net.ssl.SSLContext tls) {
    try {
      RecordingAwsEndpoint e = new RecordingAwsEndpoint("xray", region, tls);
      e.operation("POST /TraceSegments", "PutTraceSegments", XrayValidation::putTraceSegments,
          r -> "{\"UnprocessedTraceSegments\":[]}");
      e.operation("POST /TelemetryRecords", "PutTelemetryRecords", XrayValidation::putTelemetryRecords,
          r -> "{}");
      return e;
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  /**
   * An endpoint for STS ({@code sts}, query protocol): AssumeRole answers with the test credentials
   * and a session token, so that clients using the assumed role still sign with {@link #ACCESS_KEY}.
   */
  public static RecordingAwsEndpoint sts(String region) {
    RecordingAwsEndpoint e = of("sts", region);
    e.operation("POST /", "AssumeRole", r -> r.bodyText().contains("Action=AssumeRole")
            && r.bodyText().contains("RoleArn=") ? List.of() : List.of("not an AssumeRole request: " + r.bodyText()),
        r -> "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
            + "<Credentials><AccessKeyId>" + ACCESS_KEY + "</AccessKeyId><SecretAccessKey>" + SECRET_KEY
            + "</SecretAccessKey><SessionToken>" + SESSION_TOKEN + "</SessionToken><Expiration>"
            + java.time.Instant.now().plusSeconds(3600) + "</Expiration></Credentials>"
            + "<AssumedRoleUser><AssumedRoleId>AROA:wharf</AssumedRoleId><Arn>arn:aws:sts::111122223333:"
            + "assumed-role/xray/wharf</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata>"
            + "<RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>");
    return e;
  }

  /** The session token STS answers with; requests made with the assumed role carry it. */
  public static final String SESSION_TOKEN = "wharf-test-session-token";

  /** An endpoint for any SigV4 service; register its operations with {@link #operation}. */
  public static RecordingAwsEndpoint of(String service, String region) {
    try {
      return new RecordingAwsEndpoint(service, region, null);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  /**
   * Registers an operation, identified by {@code "METHOD /path"} (REST-JSON services) or by its
   * {@code X-Amz-Target} value (JSON-1.x services).
   */
  public synchronized RecordingAwsEndpoint operation(String key, String name, Validator validator,
      Function<Recorded, String> successBody) {
    pathOperations.put(key, name);
    validators.put(name, validator);
    successBodies.put(name, successBody);
    return this;
  }

  public URI uri() {
    String scheme = server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Test credentials, region and endpoint, as a task would have them in its environment. */
  public Map<String, String> env() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", region,
        "AWS_ENDPOINT_URL", uri().toString(), "AWS_EC2_METADATA_DISABLED", "true");
  }

  /** Answers for the next requests, in order; afterwards requests succeed again. */
  public synchronized RecordingAwsEndpoint script(Answer... answers) {
    Collections.addAll(script, answers);
    return this;
  }

  public List<Recorded> requests() {
    return List.copyOf(recorded);
  }

  public List<Recorded> requests(String operation) {
    List<Recorded> out = new ArrayList<>();
    for (Recorded r : recorded) {
      if (r.operation().equals(operation)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Every problem found in any request so far (signature, operation, shape, limits). */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    for (Recorded r : recorded) {
      for (String p : r.problems()) {
        out.add(r.operation() + ": " + p);
      }
    }
    return out;
  }

  /** Every segment document of every PutTraceSegments request, parsed, in arrival order. */
  public List<Map<String, Object>> segmentDocuments() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Recorded r : requests("PutTraceSegments")) {
      for (String d : r.traceSegmentDocuments()) {
        out.add(Json.object(d));
      }
    }
    return out;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
      String method = ex.getRequestMethod();
      String rawPath = ex.getRequestURI().getRawPath();
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      String operation;
      Validator validator;
      Function<Recorded, String> success;
      synchronized (this) {
        operation = target != null && pathOperations.containsKey(target)
            ? pathOperations.get(target) : pathOperations.get(method + " " + rawPath);
        validator = operation == null ? null : validators.get(operation);
        success = operation == null ? null : successBodies.get(operation);
      }
      List<String> problems = new ArrayList<>(
          verifier.verify(method, rawPath, ex.getRequestURI().getRawQuery(), headers, body));
      boolean badSignature = !problems.isEmpty();
      Recorded r = new Recorded(operation == null ? "unknown " + method + " " + rawPath : operation, method,
          rawPath, headers, body, problems);
      if (operation == null) {
        problems.add("unknown operation " + method + " " + rawPath + (target == null ? "" : " " + target));
      } else if (!badSignature) {
        try {
          problems.addAll(validator.validate(r));
        } catch (RuntimeException e) {
          problems.add("body could not be checked: " + e);
        }
      }
      recorded.add(r);
      Answer answer;
      if (badSignature) {
        answer = Answer.clientError(403, "InvalidSignatureException", "signature does not verify");
      } else if (operation == null) {
        answer = Answer.clientError(400, "UnknownOperationException", "unknown operation");
      } else if (!problems.isEmpty()) {
        answer = Answer.clientError(400, "InvalidRequestException", "request violates the documented shape");
      } else {
        synchronized (this) {
          answer = script.pollFirst();
        }
        if (answer == null) {
          answer = new Answer(200, Map.of(), success);
        }
      }
      byte[] out = answer.body().apply(r).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type",
          out.length > 0 && out[0] == '<' ? "text/xml" : "application/json");
      ex.getResponseHeaders().set("x-amzn-RequestId", "req-" + recorded.size());
      answer.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      ex.sendResponseHeaders(answer.status(), out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
