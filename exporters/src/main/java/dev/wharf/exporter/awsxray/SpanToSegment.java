package dev.wharf.exporter.awsxray;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import dev.wharf.exporter.awsxray.SegmentModel.Aws;
import dev.wharf.exporter.awsxray.SegmentModel.Exc;
import dev.wharf.exporter.awsxray.SegmentModel.Http;
import dev.wharf.exporter.awsxray.SegmentModel.Link;
import dev.wharf.exporter.awsxray.SegmentModel.LogGroup;
import dev.wharf.exporter.awsxray.SegmentModel.Sql;
import dev.wharf.json.PlainJson;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * OTLP span → X-Ray segment documents, the rules of the upstream awsxray exporter (contrib
 * v0.156.0, {@code translator/segment.go} and friends) as written down in {@code spec/xray.md}. Pure:
 * no I/O, no shared mutable state; random ids (exception ids, the local-root service segment id)
 * come from the given source so tests can fix them.
 *
 * <p>Usage: {@link #prepare(Resource)} once per resource, then {@link #translate} per span. Every
 * returned document is at most {@link Options#maxDocumentBytes()} long: an oversized document is
 * shrunk (metadata dropped, then stack frames, then annotations) and marked.
 */
public final class SpanToSegment {

  /** Translation settings: the exporter's config keys and the two feature gates. */
  public record Options(
      List<String> indexedAttributes,
      boolean indexAllAttributes,
      List<String> awsLogGroups,
      boolean skipTimestampValidation,
      boolean allowDot,
      int maxDocumentBytes) {

    /** X-Ray's documented limit for one segment document: 64 KB. */
    public static final int MAX_DOCUMENT_BYTES = 64 * 1024;

    /** Upstream defaults: both gates on (Beta in v0.156.0), no indexed attributes. */
    public static final Options DEFAULT = new Options(List.of(), false, List.of(), true, true, MAX_DOCUMENT_BYTES);

    public Options {
      indexedAttributes = List.copyOf(indexedAttributes);
      awsLogGroups = List.copyOf(awsLogGroups);
    }
  }

  /** One document to send: the segment id, its JSON (newline-terminated) and its UTF-8 size. */
  public record Document(String id, String json, int bytes, boolean truncated) {}

  /** A span that cannot be translated; upstream drops it and goes on with the others. */
  public static final class TranslationException extends Exception {
    private static final long serialVersionUID = 1L;

    public TranslationException(String message) {
      super(message, null, false, false);
    }
  }

  private static final JsonFactory JSON = new JsonFactory();
  private static final long MAX_AGE_SECONDS = 28L * 24 * 3600;
  private static final long MAX_SKEW_SECONDS = 300;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Set<String> SQL_SYSTEMS = Set.of("db2", "derby", "hive", "mariadb", "mssql", "mysql",
      "oracle", "postgresql", "sqlite", "teradata", "other_sql");
  private static final String LOCAL_ROOT = "LOCAL_ROOT";

  private final Options options;
  private final Set<String> indexed;
  private final LongSupplier random;
  private final LongSupplier nowSeconds;

  public SpanToSegment(Options options) {
    this(options, () -> ThreadLocalRandom.current().nextLong(), () -> System.currentTimeMillis() / 1000);
  }

  /**
   * @param random source of random 64-bit ids
   * @param nowSeconds the current Unix time, for trace-id timestamp validation
   */
  public SpanToSegment(Options options, LongSupplier random, LongSupplier nowSeconds) {
    this.options = options;
    this.indexed = Set.copyOf(options.indexedAttributes());
    this.random = random;
    this.nowSeconds = nowSeconds;
  }

  public Options options() {
    return options;
  }

  // ---------------------------------------------------------------- resource

  /** What the translation needs from one resource, computed once per resource. */
  public static final class PreparedResource {
    final Map<String, AnyValue> attrs;
    final boolean empty;
    final String origin;
    final String serviceName;
    final String serviceVersion;
    final String stackParser;
    final String cloudProvider;
    /** {@code otel.resource.<key>} per resource attribute, in order, built once. */
    final String[] metadataKeys;
    final AnyValue[] values;

    PreparedResource(Resource resource) {
      attrs = new LinkedHashMap<>();
      for (KeyValue kv : resource.getAttributesList()) {
        attrs.putIfAbsent(kv.getKey(), kv.getValue());
      }
      metadataKeys = new String[attrs.size()];
      values = new AnyValue[attrs.size()];
      int k = 0;
      for (Map.Entry<String, AnyValue> e : attrs.entrySet()) {
        metadataKeys[k] = "otel.resource." + e.getKey();
        values[k++] = e.getValue();
      }
      empty = attrs.isEmpty();
      cloudProvider = str(attrs.get("cloud.provider"));
      origin = origin(attrs);
      serviceName = str(attrs.get("service.name"));
      String version = str(attrs.get("service.version"));
      if (version.isEmpty()) {
        AnyValue tags = attrs.get("container.image.tags");
        if (tags != null && tags.hasArrayValue() && tags.getArrayValue().getValuesCount() > 0) {
          version = asString(tags.getArrayValue().getValues(0));
        }
      }
      if (version.isEmpty()) {
        version = str(attrs.get("container.image.tag"));
      }
      serviceVersion = version;
      stackParser = StackTraces.parserFor(str(attrs.get("telemetry.sdk.language")));
    }

    String get(String key) {
      return str(attrs.get(key));
    }
  }

  public PreparedResource prepare(Resource resource) {
    return new PreparedResource(resource);
  }

  /** {@code determineAwsOrigin} (spec 7). */
  static String origin(Map<String, AnyValue> res) {
    if (res.isEmpty()) {
      return null;
    }
    AnyValue provider = res.get("cloud.provider");
    if (provider != null && !"aws".equals(str(provider))) {
      return null;
    }
    String platform = str(res.get("cloud.platform"));
    switch (platform) {
      case "aws_app_runner":
        return "AWS::AppRunner::Service";
      case "aws_eks":
        return "AWS::EKS::Container";
      case "aws_elastic_beanstalk":
        return "AWS::ElasticBeanstalk::Environment";
      case "aws_ecs": {
        String launch = str(res.get("aws.ecs.launchtype"));
        if ("ec2".equals(launch)) {
          return "AWS::ECS::EC2";
        }
        if ("fargate".equals(launch)) {
          return "AWS::ECS::Fargate";
        }
        return "AWS::ECS::Container";
      }
      case "aws_ec2":
        return "AWS::EC2::Instance";
      default:
        return null;
    }
  }

  // ---------------------------------------------------------------- documents per span (spec 2)

  /**
   * The documents for one span (0 is impossible: a span gives 1 or 2), each within the size limit.
   *
   * @throws TranslationException for an invalid trace id or link trace id, a NaN/Inf value, or a
   *     document that stays over the size limit after shrinking
   */
  public List<Document> translate(PreparedResource res, Span span) throws TranslationException {
    Map<String, AnyValue> attrs = attributes(span);
    SpanKind kind = span.getKind();
    boolean localRoot = LOCAL_ROOT.equals(str(attrs.get("aws.span.kind")));
    if (!localRoot) {
      SegmentModel s = segment(res, span, attrs, span.getSpanId(), span.getParentSpanId());
      if ((kind == SpanKind.SPAN_KIND_CLIENT || kind == SpanKind.SPAN_KIND_PRODUCER
          || kind == SpanKind.SPAN_KIND_CONSUMER)
          && s.type != null && s.namespace == null && attrs.containsKey("aws.remote.service")) {
        s.namespace = "remote";
      }
      return List.of(encode(s));
    }
    if (kind == SpanKind.SPAN_KIND_SERVER || kind == SpanKind.SPAN_KIND_INTERNAL) {
      SegmentModel s = segment(res, span, attrs, span.getSpanId(), span.getParentSpanId());
      s.type = null;
      s.namespace = null;
      return List.of(encode(s));
    }
    // LOCAL_ROOT CLIENT / PRODUCER / CONSUMER / UNSPECIFIED: dependency subsegment + service segment.
    ByteString serviceId = randomSpanId();
    SegmentModel dep = segment(res, span, attrs, span.getSpanId(), serviceId);
    dep.type = "subsegment";
    if (dep.namespace == null) {
      dep.namespace = "remote";
    }
    if (kind == SpanKind.SPAN_KIND_CONSUMER) {
      dep.links = null;
    }
    String remoteService = str(attrs.get("aws.remote.service"));
    if (attrs.containsKey("aws.remote.service")) {
      dep.name = trimAwsSdkPrefix(remoteService, attrs);
    }

    Map<String, AnyValue> serviceAttrs = new LinkedHashMap<>(attrs);
    serviceAttrs.remove("aws.remote.service");
    serviceAttrs.remove("aws.remote.operation");
    serviceAttrs.remove("remoteTarget");
    serviceAttrs.remove("K8s.RemoteNamespace");
    SegmentModel svc = segment(res, span, serviceAttrs, serviceId, span.getParentSpanId());
    String localService = str(attrs.get("aws.local.service"));
    svc.name = !localService.isEmpty() ? localService : res.serviceName;
    svc.http = null;
    if (svc.aws != null) {
      Aws a = svc.aws;
      a.operation = null;
      a.accountId = null;
      a.region = null;
      a.requestId = null;
      a.queueUrl = null;
      a.tableName = null;
      a.tableNames = null;
    }
    if (svc.metadata != null) {
      for (TreeMap<String, Object> ns : svc.metadata.values()) {
        if (ns != null) {
          ns.keySet().removeIf(k -> !k.startsWith("otel.resource."));
        }
      }
      svc.metadata.values().removeIf(ns -> ns == null || ns.isEmpty());
    }
    svc.type = null;
    svc.namespace = null;
    if (kind != SpanKind.SPAN_KIND_CONSUMER) {
      svc.links = null;
    }
    return List.of(encode(dep), encode(svc));
  }

  private ByteString randomSpanId() {
    long v;
    do {
      v = random.getAsLong();
    } while (v == 0);
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return ByteString.copyFrom(b);
  }

  private String randomHexId() {
    long v = random.getAsLong();
    char[] c = new char[16];
    for (int i = 15; i >= 0; i--) {
      c[i] = HEX[(int) (v & 0xf)];
      v >>>= 4;
    }
    return new String(c);
  }

  private static Map<String, AnyValue> attributes(Span span) {
    Map<String, AnyValue> m = new LinkedHashMap<>(span.getAttributesCount() * 2);
    for (KeyValue kv : span.getAttributesList()) {
      m.put(kv.getKey(), kv.getValue());
    }
    return m;
  }

  // ---------------------------------------------------------------- the normal rules (spec 3 onwards)

  private SegmentModel segment(PreparedResource res, Span span, Map<String, AnyValue> spanAttrs,
      ByteString spanId, ByteString parentId) throws TranslationException {
    SegmentModel s = new SegmentModel();
    SpanKind kind = span.getKind();
    // The pool: attributes not (yet) consumed, in stored order.
    Map<String, AnyValue> pool = new LinkedHashMap<>(spanAttrs);

    s.traceId = traceId(span.getTraceId());
    boolean hasParent = !isEmptyId(parentId);
    boolean subsegment = kind != SpanKind.SPAN_KIND_SERVER && kind != SpanKind.SPAN_KIND_CONSUMER && hasParent;
    s.type = subsegment ? "subsegment" : null;
    s.id = isEmptyId(spanId) ? null : hex(spanId);
    s.parentId = hasParent ? hex(parentId) : null;
    s.startNanos = span.getStartTimeUnixNano();
    AnyValue inProgress = pool.get("aws.xray.inprogress");
    if (inProgress != null && inProgress.hasBoolValue()) {
      pool.remove("aws.xray.inprogress");
      s.inProgress = inProgress.getBoolValue();
    }
    s.endNanos = span.getEndTimeUnixNano();

    nameAndNamespace(s, res, span, spanAttrs);
    s.origin = res.origin;
    s.serviceVersion = res.serviceVersion.isEmpty() ? null : res.serviceVersion;

    s.http = http(span, pool);
    faultErrorThrottle(s, span, spanAttrs);
    s.exceptions = cause(res, span, spanAttrs, pool);
    s.aws = aws(res, spanAttrs, pool);
    s.sql = sql(span, pool);
    s.links = links(span);

    // Indexed attributes consumed by the blocks above still become annotations.
    for (String key : options.indexedAttributes()) {
      AnyValue v = spanAttrs.get(key);
      if (v != null && !pool.containsKey(key)) {
        pool.put(key, v);
      }
    }
    AnyValue user = pool.remove("enduser.id");
    if (user != null) {
      String u = asString(user);
      s.user = u.isEmpty() ? null : u;
    }
    annotationsAndMetadata(s, res, pool, !subsegment);
    return s;
  }

  static boolean isEmptyId(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  static String hex(ByteString b) {
    char[] c = new char[b.size() * 2];
    for (int i = 0; i < b.size(); i++) {
      int v = b.byteAt(i) & 0xff;
      c[2 * i] = HEX[v >>> 4];
      c[2 * i + 1] = HEX[v & 0xf];
    }
    return new String(c);
  }

  /** {@code convertToAmazonTraceID} (spec 4). */
  String traceId(ByteString id) throws TranslationException {
    if (id.size() != 16) {
      throw new TranslationException("invalid xray traceid: " + hex(id));
    }
    if (!options.skipTimestampValidation()) {
      long epoch = ((id.byteAt(0) & 0xffL) << 24) | ((id.byteAt(1) & 0xffL) << 16)
          | ((id.byteAt(2) & 0xffL) << 8) | (id.byteAt(3) & 0xffL);
      long now = nowSeconds.getAsLong();
      if (now - epoch > MAX_AGE_SECONDS || epoch - now > MAX_SKEW_SECONDS) {
        throw new TranslationException("invalid xray traceid: " + hex(id));
      }
    }
    String h = hex(id);
    return "1-" + h.substring(0, 8) + "-" + h.substring(8);
  }

  // ---------------------------------------------------------------- name and namespace (spec 5, 6)

  private static String trimAwsSdkPrefix(String name, Map<String, AnyValue> attrs) {
    if ("aws-api".equals(str(attrs.get("rpc.system")))) {
      if (name.startsWith("AWS.SDK.")) {
        return name.substring("AWS.SDK.".length());
      }
      if (name.startsWith("AWS::")) {
        return name.substring("AWS::".length());
      }
    }
    return name;
  }

  private static void nameAndNamespace(SegmentModel s, PreparedResource res, Span span, Map<String, AnyValue> a) {
    SpanKind kind = span.getKind();
    String name = "";
    boolean fromAwsService = false;
    if (kind == SpanKind.SPAN_KIND_SERVER) {
      name = str(a.get("aws.local.service"));
    } else if (kind == SpanKind.SPAN_KIND_INTERNAL && LOCAL_ROOT.equals(str(a.get("aws.span.kind")))) {
      name = str(a.get("aws.local.service"));
    } else if (kind == SpanKind.SPAN_KIND_CLIENT || kind == SpanKind.SPAN_KIND_PRODUCER
        || kind == SpanKind.SPAN_KIND_CONSUMER) {
      name = trimAwsSdkPrefix(str(a.get("aws.remote.service")), a);
    }
    if (name.isEmpty()) {
      name = str(a.get("peer.service"));
    }
    if (name.isEmpty()) {
      name = str(a.get("aws.service"));
      fromAwsService = !name.isEmpty();
    }
    if (name.isEmpty()) {
      name = str(a.get("db.name"));
      if (!name.isEmpty() && a.containsKey("db.connection_string")) {
        String host = urlHost(str(a.get("db.connection_string")));
        if (!host.isEmpty()) {
          name = name + "@" + host;
        }
      }
    }
    if (name.isEmpty() && kind == SpanKind.SPAN_KIND_SERVER) {
      name = res.serviceName;
    }
    if (name.isEmpty()) {
      name = str(a.get("rpc.service"));
    }
    if (name.isEmpty()) {
      name = str(a.get("http.host"));
    }
    if (name.isEmpty()) {
      name = str(a.get("net.peer.name"));
    }
    if (name.isEmpty()) {
      name = sanitizeName(span.getName());
    }
    s.name = name;

    if ("aws-api".equals(str(a.get("rpc.system"))) || fromAwsService) {
      s.namespace = "aws";
    } else if (kind == SpanKind.SPAN_KIND_CLIENT || kind == SpanKind.SPAN_KIND_PRODUCER) {
      s.namespace = "remote";
    }
  }

  /** The host of a (jdbc:-stripped) connection string URL, as Go's url.Parse(...).Hostname(). */
  static String urlHost(String connectionString) {
    String s = connectionString.startsWith("jdbc:") ? connectionString.substring(5) : connectionString;
    int scheme = s.indexOf("://");
    if (scheme <= 0) {
      return "";
    }
    String authority = s.substring(scheme + 3);
    int end = authority.length();
    for (int i = 0; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    authority = authority.substring(0, end);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      return close > 0 ? authority.substring(1, close) : "";
    }
    int colon = authority.indexOf(':');
    return colon >= 0 ? authority.substring(0, colon) : authority;
  }

  /**
   * Removes every character outside {@code [ 0-9\p{L}N_.:/%&#=+\-@]}, keeps the first 200 UTF-8
   * bytes (a cut character becomes U+FFFD per byte, as Go's JSON encoder renders the broken
   * sequence), and falls back to {@code span}.
   */
  static String sanitizeName(String name) {
    StringBuilder b = new StringBuilder(name.length());
    int bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      i += Character.charCount(cp);
      boolean allowed = cp == ' ' || (cp >= '0' && cp <= '9') || Character.isLetter(cp) || cp == '_' || cp == '.'
          || cp == ':' || cp == '/' || cp == '%' || cp == '&' || cp == '#' || cp == '=' || cp == '+' || cp == '-'
          || cp == '@';
      if (!allowed) {
        continue;
      }
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > 200) {
        for (int k = bytes; k < 200; k++) {
          b.append('\uFFFD');
        }
        bytes = 200;
        break;
      }
      b.appendCodePoint(cp);
      bytes += len;
    }
    return b.length() == 0 ? "span" : b.toString();
  }

  // ---------------------------------------------------------------- http (spec 8)

  private static Http http(Span span, Map<String, AnyValue> pool) {
    Http h = new Http();
    boolean hasHttp = false;
    boolean hasUrlAttrs = false;
    boolean peerSeen = false;
    String fullUrl = "";
    String scheme = "";
    String host = "";
    String target = "";
    String serverName = "";
    String netHostPort = "";
    String hostName = "";
    String netHostName = "";
    String netPeerName = "";
    String netPeerPort = "";
    String netPeerIp = "";
    String urlPath = "";
    String urlQuery = "";
    String serverAddress = "";
    String serverPort = "";
    List<String> consumed = new ArrayList<>();
    String httpScheme = "";
    String urlScheme = "";
    String httpUrl = "";
    String urlFull = "";
    for (Map.Entry<String, AnyValue> e : pool.entrySet()) {
      String key = e.getKey();
      AnyValue v = e.getValue();
      switch (key) {
        case "http.method", "http.request.method" -> {
          h.method = asString(v);
          hasHttp = true;
        }
        case "http.client_ip" -> {
          h.clientIp = asString(v);
          hasHttp = true;
        }
        case "http.user_agent", "user_agent.original" -> {
          h.userAgent = asString(v);
          hasHttp = true;
        }
        case "http.status_code", "http.response.status_code" -> {
          h.status = v.hasIntValue() ? v.getIntValue() : 0L;
          hasHttp = true;
        }
        case "http.url" -> {
          httpUrl = asString(v);
          hasHttp = true;
          hasUrlAttrs = true;
        }
        case "url.full" -> {
          urlFull = asString(v);
          hasHttp = true;
          hasUrlAttrs = true;
        }
        case "http.scheme" -> {
          httpScheme = asString(v);
          hasHttp = true;
        }
        case "url.scheme" -> {
          urlScheme = asString(v);
          hasHttp = true;
        }
        case "http.host" -> {
          host = asString(v);
          hasHttp = true;
          hasUrlAttrs = true;
        }
        case "http.target" -> {
          target = asString(v);
          hasHttp = true;
        }
        case "http.server_name" -> {
          serverName = asString(v);
          hasHttp = true;
          hasUrlAttrs = true;
        }
        case "net.host.port" -> {
          netHostPort = port(v);
          hasHttp = true;
        }
        case "host.name" -> {
          hostName = asString(v);
          hasUrlAttrs = true;
        }
        case "net.host.name" -> {
          netHostName = asString(v);
          hasUrlAttrs = true;
        }
        case "net.peer.name" -> {
          netPeerName = asString(v);
          hasUrlAttrs = true;
        }
        case "net.peer.port" -> netPeerPort = port(v);
        case "net.peer.ip" -> {
          netPeerIp = asString(v);
          if (h.clientIp == null || h.clientIp.isEmpty()) {
            h.clientIp = netPeerIp;
          }
          peerSeen = true;
          hasUrlAttrs = true;
        }
        case "network.peer.address" -> {
          String ip = asString(v);
          if (IpLiterals.isIp(ip)) {
            if (h.clientIp == null || h.clientIp.isEmpty()) {
              h.clientIp = ip;
            }
            peerSeen = true;
            hasUrlAttrs = true;
          }
        }
        case "client.address" -> {
          String ip = asString(v);
          if (IpLiterals.isIp(ip)) {
            h.clientIp = ip;
          }
        }
        case "url.path" -> {
          urlPath = asString(v);
          hasHttp = true;
        }
        case "url.query" -> {
          urlQuery = asString(v);
          hasHttp = true;
        }
        case "server.address" -> {
          serverAddress = asString(v);
          hasUrlAttrs = true;
        }
        case "server.port" -> serverPort = port(v);
        default -> {
          continue;
        }
      }
      consumed.add(key);
    }
    for (String k : consumed) {
      pool.remove(k);
    }
    if (!hasHttp) {
      return null;
    }
    if (h.clientIp != null && !h.clientIp.isEmpty() && !peerSeen) {
      h.xForwardedFor = true;
    }
    fullUrl = !httpUrl.isEmpty() ? httpUrl : urlFull;
    scheme = !httpScheme.isEmpty() ? httpScheme : urlScheme;
    if (hasUrlAttrs) {
      if (!fullUrl.isEmpty()) {
        h.url = fullUrl;
      } else {
        if (scheme.isEmpty()) {
          scheme = "http";
        }
        String port = "";
        String urlHost = host;
        if (span.getKind() == SpanKind.SPAN_KIND_SERVER) {
          if (urlHost.isEmpty()) {
            urlHost = firstNonEmpty(serverName, netHostName, hostName, serverAddress);
            port = !netHostPort.isEmpty() ? netHostPort : serverPort;
          }
        } else if (urlHost.isEmpty()) {
          urlHost = firstNonEmpty(netPeerName, netPeerIp);
          port = netPeerPort;
        }
        StringBuilder url = new StringBuilder(scheme).append("://").append(urlHost);
        if (!port.isEmpty() && !("http".equals(scheme) && "80".equals(port))
            && !("https".equals(scheme) && "443".equals(port))) {
          url.append(':').append(port);
        }
        if (!target.isEmpty()) {
          url.append(target);
        } else {
          url.append(urlPath.isEmpty() ? "/" : urlPath);
          if (!urlQuery.isEmpty()) {
            if (!urlQuery.startsWith("?")) {
              url.append('?');
            }
            url.append(urlQuery);
          }
        }
        h.url = url.toString();
      }
    }
    h.contentLength = contentLength(span);
    return h;
  }

  private static String firstNonEmpty(String... values) {
    for (String v : values) {
      if (!v.isEmpty()) {
        return v;
      }
    }
    return "";
  }

  /** A port attribute: its string value, else the integer value formatted (0 for other types). */
  private static String port(AnyValue v) {
    String s = v.hasStringValue() ? v.getStringValue() : "";
    if (s.isEmpty()) {
      s = Long.toString(v.hasIntValue() ? v.getIntValue() : 0);
    }
    return s;
  }

  private static long contentLength(Span span) {
    long length = 0;
    Map<String, AnyValue> a = null;
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().equals("message.type") || kv.getKey().equals("messaging.message_payload_size_bytes")) {
        if (a == null) {
          a = new LinkedHashMap<>();
        }
        a.put(kv.getKey(), kv.getValue());
      }
    }
    if (a != null && "RECEIVED".equals(str(a.get("message.type")))) {
      AnyValue size = a.get("messaging.message_payload_size_bytes");
      if (size != null && size.hasIntValue()) {
        length = size.getIntValue();
      }
    }
    if (length == 0) {
      for (Span.Event ev : span.getEventsList()) {
        String type = "";
        long size = 0;
        for (KeyValue kv : ev.getAttributesList()) {
          if (kv.getKey().equals("message.type")) {
            type = asString(kv.getValue());
          } else if (kv.getKey().equals("messaging.message_payload_size_bytes") && kv.getValue().hasIntValue()) {
            size = kv.getValue().getIntValue();
          }
        }
        if ("RECEIVED".equals(type) && size != 0) {
          return size;
        }
      }
    }
    return length;
  }

  // ---------------------------------------------------------------- error / fault / throttle, cause (spec 9, 10)

  private static void faultErrorThrottle(SegmentModel s, Span span, Map<String, AnyValue> a) {
    AnyValue code = a.get("http.status_code");
    if (code == null) {
      code = a.get("http.response.status_code");
    }
    long status = code == null ? 0 : code.hasIntValue() ? code.getIntValue() : 0;
    boolean isError = span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR;
    if (code == null || status < 400 || status > 599) {
      s.fault = isError;
    } else if (status <= 499) {
      s.error = true;
      s.throttle = status == 429;
    } else {
      s.fault = true;
    }
  }

  private List<Exc> cause(PreparedResource res, Span span, Map<String, AnyValue> a, Map<String, AnyValue> pool) {
    boolean awsSdk = "aws-api".equals(str(a.get("rpc.system")));
    SpanKind kind = span.getKind();
    boolean remote = kind == SpanKind.SPAN_KIND_CLIENT || kind == SpanKind.SPAN_KIND_PRODUCER;
    List<Exc> out = null;
    for (Span.Event ev : span.getEventsList()) {
      if (ev.getName().equals("exception")) {
        String type = "";
        String message = "";
        String stack = "";
        for (KeyValue kv : ev.getAttributesList()) {
          switch (kv.getKey()) {
            case "exception.type" -> type = asString(kv.getValue());
            case "exception.message" -> message = asString(kv.getValue());
            case "exception.stacktrace" -> stack = asString(kv.getValue());
            default -> { }
          }
        }
        List<Exc> chain = new ArrayList<>(2);
        chain.add(new Exc(randomHexId(), type, message, remote));
        StackTraces.fill(res.stackParser, stack, chain, this::randomHexId);
        if (out == null) {
          out = new ArrayList<>();
        }
        out.addAll(chain);
      } else if (awsSdk && ev.getName().equals("HTTP request failure")) {
        AnyValue status = null;
        AnyValue msg = null;
        for (KeyValue kv : ev.getAttributesList()) {
          if (kv.getKey().equals("http.response.status_code")) {
            status = kv.getValue();
          } else if (kv.getKey().equals("aws.http.error_message")) {
            msg = kv.getValue();
          }
        }
        if (status != null && msg != null) {
          String seconds = String.format(Locale.ROOT, "%.6f", ev.getTimeUnixNano() / 1e9);
          Exc e = new Exc(randomHexId(), "aws.http.error.event",
              asString(status) + "@" + seconds + "@" + asString(msg), true);
          if (out == null) {
            out = new ArrayList<>();
          }
          out.add(e);
        } else if (out == null) {
          out = new ArrayList<>();
        }
      }
    }
    if (out != null) {
      return out;
    }
    if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
      AnyValue statusText = pool.remove("http.status_text");
      String message = span.getStatus().getMessage();
      if (message.isEmpty() && statusText != null) {
        message = asString(statusText);
      }
      if (!message.isEmpty()) {
        List<Exc> one = new ArrayList<>(1);
        one.add(new Exc(randomHexId(), "", message, null));
        return one;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- aws block (spec 11)

  private Aws aws(PreparedResource res, Map<String, AnyValue> a, Map<String, AnyValue> pool) {
    String operation = "";
    String accountId = res.get("cloud.account.id");
    String region = "";
    String requestId = "";
    String queueUrl = "";
    String tableName = "";
    List<String> tableNames = null;
    AnyValue v;
    if ((v = pool.remove("aws.operation")) != null) {
      operation = asString(v);
    }
    AnyValue rpcMethod = pool.remove("rpc.method");
    if (operation.isEmpty() && rpcMethod != null && !a.containsKey("aws.operation")) {
      operation = asString(rpcMethod);
    }
    if ((v = pool.remove("aws.account_id")) != null && v.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
      accountId = asString(v);
    }
    if ((v = pool.remove("aws.region")) != null) {
      region = asString(v);
    }
    for (String k : new String[] {"aws.request_id", "aws.requestId"}) {
      if ((v = pool.remove(k)) != null) {
        requestId = asString(v);
      }
    }
    for (String k : new String[] {"aws.queue_url", "aws.queue.url"}) {
      if ((v = pool.remove(k)) != null) {
        queueUrl = asString(v);
      }
    }
    String messagingUrl = str(a.get("messaging.url"));
    if (!messagingUrl.isEmpty()) {
      queueUrl = messagingUrl;
    }
    for (String k : new String[] {"aws.table_name", "aws.table.name"}) {
      if ((v = pool.remove(k)) != null) {
        tableName = asString(v);
      }
    }
    AnyValue names = a.get("aws.dynamodb.table_names");
    if (names != null) {
      if (names.hasArrayValue()) {
        List<AnyValue> list = names.getArrayValue().getValuesList();
        if (list.size() == 1) {
          tableName = asString(list.get(0));
        } else if (list.size() > 1) {
          tableName = "";
          tableNames = new ArrayList<>(list.size());
          for (AnyValue t : list) {
            tableNames.add(asString(t));
          }
        }
      } else if (names.hasStringValue()) {
        tableName = names.getStringValue();
      }
    }

    if (res.attrs.containsKey("cloud.provider") && !"aws".equals(res.cloudProvider)) {
      return null;
    }
    Aws out = new Aws();
    String platform = res.get("cloud.platform");
    String az = res.get("cloud.availability_zone");
    String hostId = res.get("host.id");
    String containerId = res.get("container.id");
    if ("aws_ec2".equals(platform) || !hostId.isEmpty()) {
      out.ec2 = true;
      out.ec2InstanceId = hostId;
      out.ec2AvailabilityZone = az;
      out.ec2InstanceSize = res.get("host.type");
      out.ec2AmiId = res.get("host.image.id");
    }
    if ("aws_ecs".equals(platform)) {
      out.ecs = true;
      out.ecsContainer = res.get("container.name");
      out.ecsContainerId = containerId;
      out.ecsTaskArn = res.get("aws.ecs.task.arn");
      out.ecsTaskFamily = res.get("aws.ecs.task.family");
      out.ecsClusterArn = res.get("aws.ecs.cluster.arn");
      out.ecsContainerArn = res.get("aws.ecs.container.arn");
      out.ecsAvailabilityZone = az;
      out.ecsLaunchType = res.get("aws.ecs.launchtype");
    }
    String instanceId = res.get("service.instance.id");
    if ("aws_elastic_beanstalk".equals(platform) && !instanceId.isEmpty()) {
      out.beanstalk = true;
      out.beanstalkEnvironment = res.get("service.namespace");
      out.beanstalkVersion = res.get("service.version");
      try {
        out.beanstalkDeploymentId = Long.parseLong(instanceId);
      } catch (NumberFormatException e) {
        out.beanstalkDeploymentId = 0;
      }
    }
    if ("aws_eks".equals(platform) || res.attrs.containsKey("k8s.cluster.name")) {
      out.eks = true;
      out.eksClusterName = res.get("k8s.cluster.name");
      out.eksPod = res.get("k8s.pod.name");
      out.eksContainerId = containerId;
    }
    List<String> arns = logGroupList(res.attrs.get("aws.log.group.arns"));
    if (!arns.isEmpty()) {
      out.logGroups = new ArrayList<>(arns.size());
      for (String arn : arns) {
        String[] parts = arn.split(":", -1);
        out.logGroups.add(new LogGroup(parts.length >= 7 ? parts[6] : arn, arn));
      }
    } else {
      List<String> groups = logGroupList(res.attrs.get("aws.log.group.names"));
      if (groups.isEmpty()) {
        groups = options.awsLogGroups();
      }
      if (!groups.isEmpty()) {
        out.logGroups = new ArrayList<>(groups.size());
        for (String g : groups) {
          out.logGroups.add(new LogGroup(g, null));
        }
      }
    }
    String sdkName = res.get("telemetry.sdk.name");
    String sdkLanguage = res.get("telemetry.sdk.language");
    out.xraySdk = !sdkName.isEmpty() && !sdkLanguage.isEmpty() ? sdkName + " for " + sdkLanguage : sdkName;
    out.xraySdkVersion = res.get("telemetry.sdk.version");
    String autoVersion = res.get("telemetry.auto.version");
    if (autoVersion.isEmpty()) {
      autoVersion = res.get("telemetry.distro.version");
    }
    out.autoInstrumentation = !autoVersion.isEmpty();
    out.accountId = accountId;
    out.operation = operation;
    out.region = region;
    out.requestId = requestId;
    out.queueUrl = queueUrl;
    out.tableName = tableName;
    out.tableNames = tableNames;
    return out;
  }

  private static List<String> logGroupList(AnyValue v) {
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (v.hasStringValue()) {
      for (String s : v.getStringValue().split("&")) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    } else if (v.hasArrayValue()) {
      for (AnyValue e : v.getArrayValue().getValuesList()) {
        out.add(asString(e));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- sql, links (spec 12)

  private static Sql sql(Span span, Map<String, AnyValue> pool) {
    String system = str(pool.get("db.system"));
    if (!SQL_SYSTEMS.contains(system)) {
      return null;
    }
    Sql q = new Sql();
    String conn = str(pool.remove("db.connection_string"));
    pool.remove("db.system");
    String db = str(pool.remove("db.name"));
    q.url = span.getName();
    q.connectionString = (conn.isEmpty() ? "localhost" : conn) + "/" + db;
    q.databaseType = system;
    q.user = str(pool.remove("db.user"));
    q.sanitizedQuery = str(pool.remove("db.statement"));
    return q;
  }

  private List<Link> links(Span span) throws TranslationException {
    if (span.getLinksCount() == 0) {
      return null;
    }
    List<Link> out = new ArrayList<>(span.getLinksCount());
    for (Span.Link l : span.getLinksList()) {
      out.add(new Link(traceId(l.getTraceId()), hex(l.getSpanId()), l.getAttributesList()));
    }
    return out;
  }

  // ---------------------------------------------------------------- annotations and metadata (spec 13)

  private void annotationsAndMetadata(SegmentModel s, PreparedResource res, Map<String, AnyValue> pool,
      boolean storeResource) {
    if (pool.isEmpty() && (!storeResource || res.empty)) {
      return;
    }
    Set<String> keys = options.indexAllAttributes() ? Set.of() : indexed;
    AnyValue annotationKeys = pool.get("aws.xray.annotations");
    if (annotationKeys != null && annotationKeys.hasArrayValue()) {
      keys = new HashSet<>(keys);
      for (AnyValue k : annotationKeys.getArrayValue().getValuesList()) {
        if (k.hasStringValue()) {
          keys.add(k.getStringValue());
        }
      }
      pool.remove("aws.xray.annotations");
    }
    TreeMap<String, Object> annotations = SegmentModel.sortedMap();
    TreeMap<String, Object> defaults = SegmentModel.sortedMap();
    TreeMap<String, TreeMap<String, Object>> metadata = SegmentModel.sortedMap();
    if (storeResource) {
      for (int i = 0; i < res.metadataKeys.length; i++) {
        String key = res.metadataKeys[i];
        AnyValue value = res.values[i];
        Object anno = annotationValue(value);
        if (anno != null && (options.indexAllAttributes() || keys.contains(key))) {
          annotations.put(annotationKey(key), anno);
        } else if (value.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
          defaults.put(key, value);
        }
      }
    }
    for (Map.Entry<String, AnyValue> e : pool.entrySet()) {
      String key = e.getKey();
      AnyValue v = e.getValue();
      if (options.indexAllAttributes()) {
        Object anno = annotationValue(v);
        if (anno != null) {
          annotations.put(annotationKey(key), anno);
        }
      } else if (keys.contains(key)) {
        Object anno = annotationValue(v);
        if (anno != null) {
          annotations.put(annotationKey(key), anno);
        }
      } else if (key.startsWith("aws.xray.metadata.") && v.hasStringValue()) {
        String namespace = key.substring("aws.xray.metadata.".length());
        Object parsed = parseJsonObject(v.getStringValue());
        if (parsed == NOT_JSON) {
          defaults.put(key, v.getStringValue());
        } else if (namespace.equalsIgnoreCase("default")) {
          if (parsed != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> members = (Map<String, Object>) parsed;
            defaults.putAll(members);
          }
        } else {
          @SuppressWarnings("unchecked")
          TreeMap<String, Object> members = (TreeMap<String, Object>) parsed;
          metadata.put(namespace, members);
        }
      } else if (v.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
        defaults.put(key, v);
      }
    }
    if (!defaults.isEmpty()) {
      metadata.put("default", defaults);
    }
    s.annotations = annotations.isEmpty() ? null : annotations;
    s.metadata = metadata.isEmpty() ? null : metadata;
  }

  private static Object annotationValue(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      default:
        return null;
    }
  }

  /** Characters outside {@code [0-9A-Za-z]} (and {@code .} when allowDot) become {@code _}. */
  String annotationKey(String key) {
    char[] c = null;
    for (int i = 0; i < key.length(); i++) {
      char ch = key.charAt(i);
      boolean ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
          || (ch == '.' && options.allowDot());
      if (!ok) {
        if (c == null) {
          c = key.toCharArray();
        }
        c[i] = '_';
      }
    }
    if (c == null) {
      return key;
    }
    // A supplementary character is two UTF-16 units but one Go rune: one underscore.
    StringBuilder b = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); ) {
      int cp = key.codePointAt(i);
      i += Character.charCount(cp);
      boolean ok = (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')
          || (cp == '.' && options.allowDot());
      b.append(ok ? (char) cp : '_');
    }
    return b.toString();
  }

  private static final Object NOT_JSON = new Object();
  /** Go's json.Unmarshal into map[string]any: keys in Go's order, every number a float64. */
  private static final PlainJson.Style GO_JSON = new PlainJson.Style(SegmentModel::sortedMap, true);

  /** A JSON object as sorted Java maps (Go's json.Unmarshal into map[string]any); NOT_JSON if it is not one. */
  private static Object parseJsonObject(String s) {
    try (JsonParser p = JSON.createParser(s)) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        return p.nextToken() == null ? null : NOT_JSON;
      }
      if (t != JsonToken.START_OBJECT) {
        return NOT_JSON;
      }
      Object v = PlainJson.read(p, t, GO_JSON);
      if (p.nextToken() != null) {
        return NOT_JSON;
      }
      return v;
    } catch (IOException | RuntimeException e) {
      return NOT_JSON;
    }
  }

  // ---------------------------------------------------------------- encoding and the 64 KB limit

  private Document encode(SegmentModel s) throws TranslationException {
    String json = write(s);
    int bytes = SegmentJson.utf8Length(json);
    boolean truncated = false;
    int limit = options.maxDocumentBytes();
    if (bytes > limit && s.metadata != null) {
      s.metadata = SegmentModel.sortedMap();
      s.metadataNamespace("wharf").put("truncated", "metadata");
      truncated = true;
      json = write(s);
      bytes = SegmentJson.utf8Length(json);
    }
    if (bytes > limit && s.exceptions != null) {
      for (Exc e : s.exceptions) {
        if (e.stack != null && !e.stack.isEmpty()) {
          e.truncated = (e.truncated == null ? 0 : e.truncated) + e.stack.size();
          e.stack = null;
        }
      }
      truncated = true;
      json = write(s);
      bytes = SegmentJson.utf8Length(json);
    }
    if (bytes > limit && s.annotations != null) {
      s.annotations = null;
      s.metadata = SegmentModel.sortedMap();
      s.metadataNamespace("wharf").put("truncated", "metadata,annotations");
      truncated = true;
      json = write(s);
      bytes = SegmentJson.utf8Length(json);
    }
    if (bytes > limit) {
      throw new TranslationException("segment document " + s.id + " is " + bytes
          + " bytes after dropping metadata, stack frames and annotations; the X-Ray limit is " + limit);
    }
    return new Document(s.id, json, bytes, truncated);
  }

  private static String write(SegmentModel s) throws TranslationException {
    try {
      return SegmentJson.write(s);
    } catch (SegmentJson.EncodingException e) {
      throw new TranslationException(e.getMessage());
    }
  }

  // ---------------------------------------------------------------- attribute values

  /** The string value of an attribute; empty for absent or non-string values (pcommon Str()). */
  static String str(AnyValue v) {
    return v != null && v.hasStringValue() ? v.getStringValue() : "";
  }

  /** pcommon AsString(): every type rendered as text. */
  static String asString(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE:
        return SegmentJson.goFloat(v.getDoubleValue());
      default:
        return "";
    }
  }
}
