package dev.wharf.exporter.awsxray;

import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The X-Ray segment document being built for one span (internal/aws/xray/tracesegment.go). Mutable
 * on purpose and private to the translator: the local-root rules and the 64 KB shrink edit a
 * translated document before it is written (JSON is only ever written by {@link SegmentJson}).
 * A null field is omitted, except where {@link SegmentJson} writes {@code null} as upstream does.
 */
final class SegmentModel {
  /** Go sorts map keys byte-wise on their UTF-8 form, which is code point order. */
  static final Comparator<String> GO_KEY_ORDER = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  };

  static <V> TreeMap<String, V> sortedMap() {
    return new TreeMap<>(GO_KEY_ORDER);
  }

  String name;
  String id;
  long startNanos;
  String serviceVersion;
  String origin;
  String user;
  List<Link> links;
  String traceId;
  long endNanos;
  boolean inProgress;
  Http http;
  boolean fault;
  boolean error;
  boolean throttle;
  List<Exc> exceptions;
  Aws aws;
  /** Values: String, Long, Double, Boolean. */
  TreeMap<String, Object> annotations;
  /** Namespace → key → value (an OTLP AnyValue, or a value parsed from JSON: Map/List/String/Double/Boolean/null). */
  TreeMap<String, TreeMap<String, Object>> metadata;
  String namespace;
  String parentId;
  String type;
  Sql sql;

  static final class Link {
    final String traceId;
    final String id;
    final List<KeyValue> attributes;

    Link(String traceId, String id, List<KeyValue> attributes) {
      this.traceId = traceId;
      this.id = id;
      this.attributes = attributes;
    }
  }

  static final class Http {
    boolean xForwardedFor;
    String method;
    String url;
    String userAgent;
    String clientIp;
    Long status;
    long contentLength;
  }

  static final class Frame {
    final String path;
    final int line;
    final String label;

    Frame(String path, int line, String label) {
      this.path = path;
      this.line = line;
      this.label = label;
    }
  }

  static final class Exc {
    String id;
    String message;
    String type;
    Boolean remote;
    Integer truncated;
    String cause;
    List<Frame> stack;

    Exc(String id, String type, String message, Boolean remote) {
      this.id = id;
      this.type = type;
      this.message = message;
      this.remote = remote;
    }

    void addFrame(Frame f) {
      if (stack == null) {
        stack = new ArrayList<>();
      }
      stack.add(f);
    }
  }

  static final class LogGroup {
    final String logGroup;
    final String arn;

    LogGroup(String logGroup, String arn) {
      this.logGroup = logGroup;
      this.arn = arn;
    }
  }

  static final class Aws {
    boolean beanstalk;
    String beanstalkEnvironment;
    String beanstalkVersion;
    long beanstalkDeploymentId;
    List<LogGroup> logGroups;
    boolean ecs;
    String ecsContainer;
    String ecsContainerId;
    String ecsTaskArn;
    String ecsTaskFamily;
    String ecsClusterArn;
    String ecsContainerArn;
    String ecsAvailabilityZone;
    String ecsLaunchType;
    boolean ec2;
    String ec2InstanceId;
    String ec2AvailabilityZone;
    String ec2InstanceSize;
    String ec2AmiId;
    boolean eks;
    String eksClusterName;
    String eksPod;
    String eksContainerId;
    String xraySdk;
    String xraySdkVersion;
    boolean autoInstrumentation;
    String accountId;
    String operation;
    String region;
    String requestId;
    String queueUrl;
    String tableName;
    List<String> tableNames;
  }

  static final class Sql {
    String connectionString;
    String url;
    String sanitizedQuery;
    String databaseType;
    String user;
  }

  /** Metadata namespace, created on first use. */
  TreeMap<String, Object> metadataNamespace(String ns) {
    if (metadata == null) {
      metadata = sortedMap();
    }
    return metadata.computeIfAbsent(ns, k -> sortedMap());
  }

  static boolean isEmpty(Map<?, ?> m) {
    return m == null || m.isEmpty();
  }
}
