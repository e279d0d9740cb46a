package dev.wharf.exporter.awsxray;

import static dev.wharf.exporter.awsxray.XrayTestSpans.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.exporter.awsxray.SpanToSegment.Document;
import dev.wharf.exporter.awsxray.SpanToSegment.Options;
import dev.wharf.testing.aws.Json;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: one or more cases per rule of spec/xray.md, each comparing fields of the parsed
 * documents. Paths are '/'-separated so that keys containing dots can be named.
 */
class SpanToSegmentTest {
  static final Object ABSENT = new Object() {
    @Override
    public String toString() {
      return "<absent>";
    }
  };

  /** Random ids are 1, 2, 3, ... so that local-root and exception ids are predictable. */
  static SpanToSegment translator(Options o) {
    AtomicLong next = new AtomicLong();
    return new SpanToSegment(o, next::incrementAndGet, () -> 1_596_648_400L);
  }

  static final class Case {
    final String name;
    Options options = Options.DEFAULT;
    Resource resource = XrayTestSpans.resource(s("service.name", "checkout"));
    Span span;
    int docs = 1;
    final List<Object[]> checks = new ArrayList<>();
    int currentDoc;

    Case(String name) {
      this.name = name;
    }

    Case options(Options o) {
      options = o;
      return this;
    }

    Case resource(Resource r) {
      resource = r;
      return this;
    }

    Case span(Span.Builder b) {
      span = b.build();
      return this;
    }

    Case docs(int n) {
      docs = n;
      return this;
    }

    Case doc(int i) {
      currentDoc = i;
      return this;
    }

    Case expect(String path, Object value) {
      checks.add(new Object[] {currentDoc, path, value});
      return this;
    }

    Case absent(String... paths) {
      for (String p : paths) {
        expect(p, ABSENT);
      }
      return this;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name) {
    return new Case(name);
  }

  static Options indexed(String... keys) {
    return new Options(List.of(keys), false, List.of(), true, true, Options.MAX_DOCUMENT_BYTES);
  }

  static Span.Event event(String name, KeyValue... attrs) {
    Span.Event.Builder e = Span.Event.newBuilder().setName(name).setTimeUnixNano(START + 1000);
    for (KeyValue a : attrs) {
      e.addAttributes(a);
    }
    return e.build();
  }

  static final String JAVA_TRACE = "java.lang.IllegalStateException: outer\n"
      + "\tat app//com.example.Orders.place(Orders.java:42)\n"
      + "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
      + "\tSuppressed: java.io.IOException: closing\n"
      + "\t\tat com.example.Res.close(Res.java:9)\n"
      + "Caused by: java.sql.SQLException: db down\n"
      + "more detail\n"
      + "\tat com.example.Db.query(Native Method)\n"
      + "\t... 2 more\n";

  static final String PYTHON_TRACE = "Traceback (most recent call last):\n"
      + "  File \"/app/db.py\", line 10, in query\n"
      + "    raise ValueError(\"bad\")\n"
      + "ValueError: bad\n"
      + "\n"
      + "During handling of the above exception, another exception occurred:\n"
      + "\n"
      + "Traceback (most recent call last):\n"
      + "  File \"/app/main.py\", line 20, in <module>\n"
      + "    handle()\n"
      + "  File \"/app/main.py\", line 15, in handle\n"
      + "    raise TypeError(\"other\")\n"
      + "TypeError: other\n";

  static final String JS_TRACE = "Error: boom\n"
      + "    at Orders.place (/app/orders.js:12:5)\n"
      + "    at /app/index.js:3:1\n"
      + "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n"
      + "    at Array.forEach (native)\n";

  static final String DOTNET_TRACE = "System.InvalidOperationException: boom\n"
      + "   at Shop.Orders.Place(Int32 id) in C:\\src\\Orders.cs:line 42\n"
      + "   at Shop.Program.Main()\n";

  static final String GO_TRACE = "goroutine 1 [running]:\n"
      + "main.place(0x1, 0x2)\n"
      + "\t/app/main.go:12 +0x1d\n"
      + "main.main()\n"
      + "\t/app/main.go:30 +0x25\n";

  static Stream<Case> cases() {
    Resource fargate = fargateResource();
    return Stream.of(
        // ---- 3. segment or subsegment, ids, times
        c("server span is a segment with ids, times and flags")
            .span(span(SpanKind.SPAN_KIND_SERVER, true))
            .expect("name", "checkout").expect("id", SPAN_HEX).expect("parent_id", PARENT_HEX)
            .expect("trace_id", "1-5f2aebcc-b475d14618c51eaa28753d37")
            .expect("start_time", START / 1e9).expect("end_time", END / 1e9)
            .expect("fault", false).expect("error", false).expect("throttle", false)
            .absent("type", "namespace", "in_progress", "http", "cause", "sql"),
        c("client span with parent is a remote subsegment")
            .span(span(SpanKind.SPAN_KIND_CLIENT, true))
            .expect("type", "subsegment").expect("namespace", "remote").expect("name", "GET /orders"),
        c("internal span with parent is a subsegment without namespace")
            .span(span(SpanKind.SPAN_KIND_INTERNAL, true))
            .expect("type", "subsegment").absent("namespace"),
        c("consumer span with parent stays a segment (v0.156.0)")
            .span(span(SpanKind.SPAN_KIND_CONSUMER, true))
            .absent("type", "namespace"),
        c("producer span with parent is a remote subsegment")
            .span(span(SpanKind.SPAN_KIND_PRODUCER, true))
            .expect("type", "subsegment").expect("namespace", "remote"),
        c("client span without parent is a segment with namespace remote")
            .span(span(SpanKind.SPAN_KIND_CLIENT, false))
            .absent("type", "parent_id").expect("namespace", "remote"),
        c("aws.xray.inprogress true: in_progress, no end_time, attribute consumed")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), b("aws.xray.inprogress", true)))
            .expect("in_progress", true).absent("end_time", "metadata/default/aws.xray.inprogress"),
        c("aws.xray.inprogress false: end_time, attribute consumed")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), b("aws.xray.inprogress", false)))
            .expect("end_time", END / 1e9).absent("in_progress", "metadata/default/aws.xray.inprogress"),
        c("non-boolean aws.xray.inprogress is a plain attribute")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("aws.xray.inprogress", "true")))
            .absent("in_progress").expect("metadata/default/aws.xray.inprogress", "true"),
        c("all-zero span id is written as null")
            .span(span(SpanKind.SPAN_KIND_SERVER, false).setSpanId(bytes("0000000000000000")))
            .expect("id", null),

        // ---- 2. local root
        c("LOCAL_ROOT server: one segment")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, true), s("aws.span.kind", "LOCAL_ROOT"),
                s("aws.local.service", "orders-svc")))
            .expect("name", "orders-svc").absent("type", "namespace"),
        c("LOCAL_ROOT internal: named from aws.local.service, forced segment")
            .span(withAttrs(span(SpanKind.SPAN_KIND_INTERNAL, true), s("aws.span.kind", "LOCAL_ROOT"),
                s("aws.local.service", "orders-svc")))
            .expect("name", "orders-svc").absent("type", "namespace"),
        c("LOCAL_ROOT client: dependency subsegment then service segment")
            .resource(fargate)
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("aws.span.kind", "LOCAL_ROOT"),
                s("aws.local.service", "orders-svc"), s("aws.remote.service", "AWS::DynamoDB"),
                s("aws.remote.operation", "GetItem"), s("rpc.system", "aws-api"), s("rpc.method", "GetItem"),
                s("aws.region", "us-west-2"), s("aws.table_name", "orders"), s("http.method", "POST"),
                i("http.status_code", 200), s("custom", "x"))
                .addLinks(Span.Link.newBuilder().setTraceId(bytes(TRACE_HEX)).setSpanId(bytes(PARENT_HEX))))
            .docs(2)
            .doc(0).expect("name", "DynamoDB").expect("type", "subsegment").expect("namespace", "aws")
            .expect("id", SPAN_HEX).expect("parent_id", "0000000000000001").expect("aws/operation", "GetItem")
            .expect("aws/table_name", "orders").expect("http/request/method", "POST")
            .expect("links/0/id", PARENT_HEX).expect("metadata/default/custom", "x")
            .doc(1).expect("name", "orders-svc").expect("id", "0000000000000001").expect("parent_id", PARENT_HEX)
            .absent("type", "namespace", "http", "links", "aws/operation", "aws/region", "aws/table_name",
                "metadata/default/custom", "metadata/default/aws.remote.operation")
            .expect("aws/ecs/launch_type", "fargate").expect("origin", "AWS::ECS::Fargate"),
        c("LOCAL_ROOT consumer: links only on the service segment")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CONSUMER, false), s("aws.span.kind", "LOCAL_ROOT"),
                s("aws.remote.service", "queue"))
                .addLinks(Span.Link.newBuilder().setTraceId(bytes(TRACE_HEX)).setSpanId(bytes(PARENT_HEX))))
            .docs(2)
            .doc(0).expect("name", "queue").expect("namespace", "remote").expect("type", "subsegment").absent("links")
            .doc(1).expect("name", "checkout").expect("links/0/id", PARENT_HEX).absent("parent_id"),
        c("non-local-root client subsegment with aws.remote.service keeps namespace remote")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("aws.remote.service", "payments")))
            .expect("name", "payments").expect("namespace", "remote"),

        // ---- 5. name, 6. namespace
        c("server: aws.local.service wins over service.name")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("aws.local.service", "local"),
                s("peer.service", "peer")))
            .expect("name", "local"),
        c("client: aws.remote.service with AWS.SDK. prefix trimmed for aws-api")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("aws.remote.service", "AWS.SDK.DynamoDb"),
                s("rpc.system", "aws-api")))
            .expect("name", "DynamoDb").expect("namespace", "aws"),
        c("client: prefix kept when rpc.system is not aws-api")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("aws.remote.service", "AWS::S3")))
            .expect("name", "AWS::S3").expect("namespace", "remote"),
        c("empty attribute value does not stop the chain: peer.service")
            .span(withAttrs(span(SpanKind.SPAN_KIND_INTERNAL, true), s("aws.local.service", ""),
                s("peer.service", "inventory <v2>")))
            .expect("name", "inventory <v2>"),
        c("aws.service names the document and sets namespace aws")
            .span(withAttrs(span(SpanKind.SPAN_KIND_INTERNAL, true), s("aws.service", "S3")))
            .expect("name", "S3").expect("namespace", "aws"),
        c("db.name with a jdbc connection string gets @host")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("db.name", "orders"),
                s("db.connection_string", "jdbc:mysql://db.dev.example.com:3306")))
            .expect("name", "orders@db.dev.example.com"),
        c("server falls back to resource service.name before rpc.service")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("rpc.service", "Greeter")))
            .expect("name", "checkout"),
        c("client does not use service.name: rpc.service")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("rpc.service", "Greeter")))
            .expect("name", "Greeter"),
        c("http.host then net.peer.name")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("net.peer.name", "peer.local")))
            .expect("name", "peer.local"),
        c("span name is sanitised")
            .span(span(SpanKind.SPAN_KIND_INTERNAL, true).setName("GET /a?b=1&c=<d>! é"))
            .expect("name", "GET /ab=1&c=d é"),
        c("span name cut to 200 bytes")
            .span(span(SpanKind.SPAN_KIND_INTERNAL, true).setName("x".repeat(250)))
            .expect("name", "x".repeat(200)),
        c("span name cut inside a multi-byte character")
            .span(span(SpanKind.SPAN_KIND_INTERNAL, true).setName("x".repeat(199) + "é"))
            .expect("name", "x".repeat(199) + "\uFFFD"),
        c("empty sanitised span name becomes span")
            .span(span(SpanKind.SPAN_KIND_INTERNAL, true).setName("<>!?"))
            .expect("name", "span"),
        c("rpc.system aws-api gives namespace aws for an internal span")
            .span(withAttrs(span(SpanKind.SPAN_KIND_INTERNAL, true), s("rpc.system", "aws-api")))
            .expect("namespace", "aws"),

        // ---- 7. origin
        c("origin: ECS on Fargate").resource(fargate).span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("origin", "AWS::ECS::Fargate"),
        c("origin: ECS on EC2").resource(resource(s("cloud.provider", "aws"), s("cloud.platform", "aws_ecs"),
                s("aws.ecs.launchtype", "ec2"))).span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("origin", "AWS::ECS::EC2"),
        c("origin: ECS without launch type").resource(resource(s("cloud.platform", "aws_ecs")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).expect("origin", "AWS::ECS::Container"),
        c("origin: EC2").resource(resource(s("cloud.provider", "aws"), s("cloud.platform", "aws_ec2")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).expect("origin", "AWS::EC2::Instance"),
        c("origin: EKS").resource(resource(s("cloud.platform", "aws_eks")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).expect("origin", "AWS::EKS::Container"),
        c("origin: Beanstalk").resource(resource(s("cloud.platform", "aws_elastic_beanstalk")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).expect("origin", "AWS::ElasticBeanstalk::Environment"),
        c("origin: App Runner").resource(resource(s("cloud.platform", "aws_app_runner")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).expect("origin", "AWS::AppRunner::Service"),
        c("origin: other cloud provider gives none and no aws block")
            .resource(resource(s("cloud.provider", "gcp"), s("cloud.platform", "aws_ec2")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).absent("origin", "aws"),
        c("origin: empty resource gives none").resource(Resource.getDefaultInstance())
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).absent("origin")
            .expect("aws/xray/auto_instrumentation", false),

        // ---- 8. http
        c("http server, old semantic conventions")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.method", "GET"),
                s("http.scheme", "https"), s("http.host", "shop.example.com"), s("http.target", "/orders?id=1"),
                i("http.status_code", 200), s("http.user_agent", "curl/8"), s("http.client_ip", "10.0.0.1"),
                s("keep", "me")))
            .expect("http/request/method", "GET").expect("http/request/url", "https://shop.example.com/orders?id=1")
            .expect("http/request/user_agent", "curl/8").expect("http/request/client_ip", "10.0.0.1")
            .expect("http/request/x_forwarded_for", true).expect("http/response/status", 200L)
            .expect("http/response/content_length", 0L).expect("metadata/default/keep", "me")
            .absent("metadata/default/http.method", "metadata/default/http.target"),
        c("http server, new semantic conventions with server.address and port")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.request.method", "POST"),
                s("url.scheme", "http"), s("server.address", "api.local"), i("server.port", 8080),
                s("url.path", "/v1/orders"), s("url.query", "x=1"), i("http.response.status_code", 201),
                s("user_agent.original", "okhttp"), s("client.address", "192.168.1.7"),
                s("network.peer.address", "10.1.1.1")))
            .expect("http/request/url", "http://api.local:8080/v1/orders?x=1")
            .expect("http/request/client_ip", "192.168.1.7").expect("http/response/status", 201L)
            .absent("http/request/x_forwarded_for", "metadata/default/client.address"),
        c("http server: net.host.name, https on 443 omits the port")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.method", "GET"),
                s("http.scheme", "https"), s("net.host.name", "h.local"), i("net.host.port", 443)))
            .expect("http/request/url", "https://h.local/"),
        c("http client: url.full verbatim")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("http.request.method", "GET"),
                s("url.full", "https://x.example/a?b"), s("server.address", "ignored")))
            .expect("http/request/url", "https://x.example/a?b"),
        c("http client: net.peer.name and net.peer.port")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("http.method", "GET"),
                s("net.peer.name", "peer"), i("net.peer.port", 8443), s("http.target", "/t")))
            .expect("http/request/url", "http://peer:8443/t"),
        c("http client: net.peer.ip sets client_ip without x_forwarded_for")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("http.method", "GET"),
                s("net.peer.ip", "10.2.2.2")))
            .expect("http/request/url", "http://10.2.2.2/").expect("http/request/client_ip", "10.2.2.2")
            .absent("http/request/x_forwarded_for"),
        c("http client: server.address alone gives an empty host (v0.156.0)")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("http.request.method", "GET"),
                s("server.address", "svc"), i("server.port", 81)))
            .expect("http/request/url", "http:///"),
        c("http: invalid network.peer.address is consumed and ignored")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.method", "GET"),
                s("network.peer.address", "not-an-ip")))
            .absent("http/request/client_ip", "http/request/url", "metadata/default/network.peer.address"),
        c("http: non-integer status code gives 0")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.status_code", "200")))
            .expect("http/response/status", 0L),
        c("http: content_length from messaging payload size")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.method", "GET"),
                s("message.type", "RECEIVED"), i("messaging.message_payload_size_bytes", 321)))
            .expect("http/response/content_length", 321L),
        c("http: content_length from a RECEIVED event")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.method", "GET"))
                .addEvents(event("message", s("message.type", "RECEIVED"),
                    i("messaging.message_payload_size_bytes", 77))))
            .expect("http/response/content_length", 77L),
        c("no http attributes: no http block")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("host.name", "h")))
            .absent("http").absent("metadata/default/host.name"),

        // ---- 9. error / fault / throttle
        c("429 is error and throttle")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), i("http.status_code", 429)))
            .expect("error", true).expect("throttle", true).expect("fault", false),
        c("404 is error")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), i("http.response.status_code", 404)))
            .expect("error", true).expect("throttle", false).expect("fault", false),
        c("503 is fault")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), i("http.status_code", 503)))
            .expect("fault", true).expect("error", false),
        c("status ERROR without code is fault")
            .span(span(SpanKind.SPAN_KIND_SERVER, false).setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR)))
            .expect("fault", true).absent("cause"),

        // ---- 10. cause
        c("status ERROR message gives a cause with empty type")
            .span(span(SpanKind.SPAN_KIND_SERVER, false)
                .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR).setMessage("boom")))
            .expect("cause/exceptions/0/id", "0000000000000001").expect("cause/exceptions/0/message", "boom")
            .expect("cause/exceptions/0/type", "").absent("cause/exceptions/0/remote"),
        c("status ERROR falls back to http.status_text, which is consumed")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.status_text", "Bad Gateway"))
                .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR)))
            .expect("cause/exceptions/0/message", "Bad Gateway").absent("metadata/default/http.status_text"),
        c("java stack trace: frames, module prefix, Caused by chain, suppressed skipped")
            .resource(resource(s("telemetry.sdk.language", "java")))
            .span(span(SpanKind.SPAN_KIND_CLIENT, true).addEvents(event("exception",
                s("exception.type", "java.lang.IllegalStateException"), s("exception.message", "outer"),
                s("exception.stacktrace", JAVA_TRACE))))
            .expect("cause/exceptions/0/type", "java.lang.IllegalStateException")
            .expect("cause/exceptions/0/message", "outer").expect("cause/exceptions/0/remote", true)
            .expect("cause/exceptions/0/stack/0/label", "com.example.Orders.place")
            .expect("cause/exceptions/0/stack/0/path", "Orders.java").expect("cause/exceptions/0/stack/0/line", 42L)
            .expect("cause/exceptions/0/stack/1/label", "java.lang.Thread.run")
            .absent("cause/exceptions/0/stack/2")
            .expect("cause/exceptions/0/cause", "0000000000000002")
            .expect("cause/exceptions/1/id", "0000000000000002")
            .expect("cause/exceptions/1/type", "java.sql.SQLException")
            .expect("cause/exceptions/1/message", "db downmore detail")
            .expect("cause/exceptions/1/remote", true)
            .expect("cause/exceptions/1/stack/0/path", "Native Method")
            .expect("cause/exceptions/1/stack/0/line", 0L),
        c("python stack trace: reversed frames and a chained exception")
            .resource(resource(s("telemetry.sdk.language", "python")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false).addEvents(event("exception",
                s("exception.type", "TypeError"), s("exception.message", "other"),
                s("exception.stacktrace", PYTHON_TRACE))))
            .expect("cause/exceptions/0/remote", false)
            .expect("cause/exceptions/0/stack/0/path", "/app/main.py")
            .expect("cause/exceptions/0/stack/0/line", 15L).expect("cause/exceptions/0/stack/0/label", "handle")
            .expect("cause/exceptions/0/stack/1/line", 20L).expect("cause/exceptions/0/stack/1/label", "<module>")
            .expect("cause/exceptions/1/type", "ValueError").expect("cause/exceptions/1/message", "bad")
            .expect("cause/exceptions/1/stack/0/path", "/app/db.py")
            .expect("cause/exceptions/0/cause", "0000000000000002"),
        c("javascript stack trace")
            .resource(resource(s("telemetry.sdk.language", "nodejs")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false).addEvents(event("exception",
                s("exception.type", "Error"), s("exception.message", "boom"), s("exception.stacktrace", JS_TRACE))))
            .expect("cause/exceptions/0/stack/0/label", "Orders.place")
            .expect("cause/exceptions/0/stack/0/path", "/app/orders.js")
            .expect("cause/exceptions/0/stack/0/line", 12L)
            .expect("cause/exceptions/0/stack/1/label", "").expect("cause/exceptions/1", null)
            .expect("cause/exceptions/0/stack/1/path", "/app/index.js")
            .expect("cause/exceptions/0/stack/2/path", "node:internal/process/task_queues")
            .expect("cause/exceptions/0/stack/3/path", "native"),
        c("dotnet stack trace")
            .resource(resource(s("telemetry.sdk.language", "dotnet")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false).addEvents(event("exception",
                s("exception.type", "System.InvalidOperationException"), s("exception.stacktrace", DOTNET_TRACE))))
            .expect("cause/exceptions/0/message", "")
            .expect("cause/exceptions/0/stack/0/label", "Shop.Orders.Place(Int32 id)")
            .expect("cause/exceptions/0/stack/0/path", "C:\\src\\Orders.cs")
            .expect("cause/exceptions/0/stack/0/line", 42L)
            .expect("cause/exceptions/0/stack/1/label", "Shop.Program.Main()")
            .expect("cause/exceptions/0/stack/1/path", "").expect("cause/exceptions/0/stack/1/line", 0L),
        c("go stack trace")
            .resource(resource(s("telemetry.sdk.language", "go")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false).addEvents(event("exception",
                s("exception.type", "*errors.errorString"), s("exception.stacktrace", GO_TRACE))))
            .expect("cause/exceptions/0/stack/0/label", "main.place")
            .expect("cause/exceptions/0/stack/0/path", "/app/main.go")
            .expect("cause/exceptions/0/stack/0/line", 12L)
            .expect("cause/exceptions/0/stack/1/label", "main.main")
            .expect("cause/exceptions/0/stack/1/line", 30L),
        c("unknown language: exception without stack")
            .resource(resource(s("telemetry.sdk.language", "rust")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false).addEvents(event("exception",
                s("exception.type", "E"), s("exception.stacktrace", JAVA_TRACE))))
            .expect("cause/exceptions/0/type", "E").absent("cause/exceptions/0/stack", "cause/exceptions/1"),
        c("aws sdk HTTP request failure event")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("rpc.system", "aws-api"))
                .addEvents(event("HTTP request failure", i("http.response.status_code", 400),
                    s("aws.http.error_message", "ValidationException"))))
            .expect("cause/exceptions/0/type", "aws.http.error.event")
            .expect("cause/exceptions/0/remote", true)
            .expect("cause/exceptions/0/message", "400@1596648396.639946@ValidationException"),

        // ---- 11. aws block
        c("aws block from the ECS detector on Fargate").resource(fargate)
            .span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("aws/ecs/task_arn", "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c")
            .expect("aws/ecs/task_family", "checkout-task")
            .expect("aws/ecs/cluster_arn", "arn:aws:ecs:us-west-2:111122223333:cluster/default")
            .expect("aws/ecs/availability_zone", "us-west-2a").expect("aws/ecs/launch_type", "fargate")
            .absent("aws/ecs/container", "aws/ecs/container_id", "aws/ec2", "aws/eks")
            .expect("aws/account_id", "111122223333")
            .expect("aws/cloudwatch_logs/0/log_group", "/ecs/checkout")
            .expect("aws/cloudwatch_logs/0/arn", "arn:aws:logs:us-west-2:111122223333:log-group:/ecs/checkout")
            .expect("aws/xray/sdk", "opentelemetry for java").expect("aws/xray/sdk_version", "1.67.0")
            .expect("aws/xray/auto_instrumentation", false),
        c("aws block: ec2 with nulls, container name, auto instrumentation")
            .resource(resource(s("cloud.provider", "aws"), s("cloud.platform", "aws_ecs"), s("host.id", "i-123"),
                s("container.name", "app"), s("container.id", "abc"), s("telemetry.distro.version", "2.0")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("aws/ec2/instance_id", "i-123").expect("aws/ec2/instance_size", null)
            .expect("aws/ec2/ami_id", null).expect("aws/ecs/container", "app").expect("aws/ecs/container_id", "abc")
            .expect("aws/xray/auto_instrumentation", true),
        c("aws block: beanstalk")
            .resource(resource(s("cloud.platform", "aws_elastic_beanstalk"), s("service.instance.id", "32"),
                s("service.namespace", "scorekeep")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("aws/elastic_beanstalk/environment_name", "scorekeep")
            .expect("aws/elastic_beanstalk/deployment_id", 32L).expect("aws/elastic_beanstalk/version_label", null),
        c("aws block: eks").resource(resource(s("k8s.cluster.name", "prod"), s("k8s.pod.name", "p-1")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("aws/eks/cluster_name", "prod").expect("aws/eks/pod", "p-1").expect("aws/eks/container_id", null),
        c("aws block: log group names from a '&' string, then config fallback")
            .resource(resource(s("aws.log.group.names", "a&&b")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("aws/cloudwatch_logs/0/log_group", "a").expect("aws/cloudwatch_logs/1/log_group", "b")
            .absent("aws/cloudwatch_logs/0/arn"),
        c("aws block: config aws_log_groups")
            .options(new Options(List.of(), false, List.of("/cfg/group"), true, true, Options.MAX_DOCUMENT_BYTES))
            .span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("aws/cloudwatch_logs/0/log_group", "/cfg/group"),
        c("aws block: span attributes consumed")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("aws.operation", "PutItem"),
                s("rpc.method", "ignored"), s("aws.account_id", "999"), s("aws.region", "eu-west-1"),
                s("aws.requestId", "req-1"), s("aws.queue.url", "q1"), s("messaging.url", "q2"),
                s("aws.table.name", "t")))
            .expect("aws/operation", "PutItem").expect("aws/account_id", "999").expect("aws/region", "eu-west-1")
            .expect("aws/request_id", "req-1").expect("aws/queue_url", "q2").expect("aws/table_name", "t")
            .absent("metadata/default/rpc.method", "metadata/default/aws.operation")
            .expect("metadata/default/messaging.url", "q2"),
        c("aws block: rpc.method when aws.operation is absent; several dynamodb tables")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("rpc.method", "Query"),
                arr("aws.dynamodb.table_names", "a", "b")))
            .expect("aws/operation", "Query").expect("aws/table_names/1", "b").absent("aws/table_name"),

        // ---- 12. sql, service, user, links
        c("sql block for mysql, attributes consumed")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("db.system", "mysql"), s("db.name", "shop"),
                s("db.statement", "SELECT 1"), s("db.user", "app")).setName("SELECT shop"))
            .expect("sql/url", "SELECT shop").expect("sql/connection_string", "localhost/shop")
            .expect("sql/database_type", "mysql").expect("sql/user", "app").expect("sql/sanitized_query", "SELECT 1")
            .expect("name", "shop").absent("metadata/default/db.statement"),
        c("no sql block for mongodb; attributes stay")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("db.system", "mongodb"),
                s("db.statement", "find")))
            .absent("sql").expect("metadata/default/db.statement", "find"),
        c("service version from resource, else container image tags")
            .resource(resource(arr("container.image.tags", "1.2.3", "latest")))
            .span(span(SpanKind.SPAN_KIND_SERVER, false)).expect("service/version", "1.2.3"),
        c("user from enduser.id")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("enduser.id", "alice")))
            .expect("user", "alice").absent("metadata/default/enduser.id"),
        c("links with converted trace id and attributes")
            .span(span(SpanKind.SPAN_KIND_SERVER, false).addLinks(Span.Link.newBuilder()
                .setTraceId(bytes("4bf92f3577b34da6a3ce929d0e0e4736")).setSpanId(bytes("00f067aa0ba902b7"))
                .addAttributes(s("b", "2")).addAttributes(i("a", 1))))
            .expect("links/0/trace_id", "1-4bf92f35-77b34da6a3ce929d0e0e4736")
            .expect("links/0/id", "00f067aa0ba902b7").expect("links/0/attributes/a", 1L)
            .expect("links/0/attributes/b", "2"),

        // ---- 13. annotations and metadata
        c("indexed attributes become annotations, consumed ones too")
            .options(indexed("order.id", "http.method"))
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("order.id", "o-1"), s("http.method", "GET"),
                s("other", "x")))
            .expect("annotations/order.id", "o-1").expect("annotations/http.method", "GET")
            .expect("http/request/method", "GET").expect("metadata/default/other", "x")
            .expect("metadata/default/otel.resource.service.name", "checkout"),
        c("annotation keys sanitised; dot kept with allowDot")
            .options(indexed("a-b c.d"))
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("a-b c.d", "v")))
            .expect("annotations/a_b_c.d", "v"),
        c("annotation keys sanitised; dot replaced without allowDot")
            .options(new Options(List.of("a.b"), false, List.of(), true, false, Options.MAX_DOCUMENT_BYTES))
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("a.b", "v")))
            .expect("annotations/a_b", "v"),
        c("index_all_attributes: scalars are annotations, non-scalars dropped, resource annotated")
            .options(new Options(List.of("ignored"), true, List.of(), true, true, Options.MAX_DOCUMENT_BYTES))
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), i("n", 3), d("f", 1.5), b("ok", true),
                arr("list", "x")))
            .expect("annotations/n", 3L).expect("annotations/f", 1.5).expect("annotations/ok", true)
            .expect("annotations/otel.resource.service.name", "checkout").absent("annotations/list", "metadata"),
        c("aws.xray.annotations lists keys to index; the list itself is removed")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("tenant", "t1"),
                arr("aws.xray.annotations", "tenant")))
            .expect("annotations/tenant", "t1").absent("metadata/default/aws.xray.annotations",
                "metadata/default/tenant"),
        c("non-scalar indexed attribute is dropped")
            .options(indexed("list"))
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), arr("list", "x")))
            .absent("annotations", "metadata/default/list"),
        c("aws.xray.metadata.*: default merged, other namespaces, invalid JSON kept")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false),
                s("aws.xray.metadata.DEFAULT", "{\"k\":\"v\",\"n\":2}"),
                s("aws.xray.metadata.orders", "{\"count\":3,\"tags\":[\"a\"]}"),
                s("aws.xray.metadata.bad", "not json")))
            .expect("metadata/default/k", "v").expect("metadata/default/n", 2L)
            .expect("metadata/orders/count", 3L).expect("metadata/orders/tags/0", "a")
            .expect("metadata/default/aws.xray.metadata.bad", "not json"),
        c("raw metadata values: maps, arrays, bytes")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), kv("m", s("z", "1"), i("a", 2)),
                arr("arr", "x", "y")))
            .expect("metadata/default/m/a", 2L).expect("metadata/default/arr/1", "y"),
        c("subsegment without remaining attributes: no annotations or metadata")
            .span(span(SpanKind.SPAN_KIND_CLIENT, true))
            .absent("annotations", "metadata"),
        c("subsegment does not store resource attributes")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("x", "1")))
            .expect("metadata/default/x", "1").absent("metadata/default/otel.resource.service.name"),
        c("resource attributes indexed by their otel.resource. key")
            .options(indexed("otel.resource.service.name"))
            .span(span(SpanKind.SPAN_KIND_SERVER, false))
            .expect("annotations/otel.resource.service.name", "checkout"),

        c("LOCAL_ROOT producer without remote service: dependency keeps its name and gets namespace remote")
            .span(withAttrs(span(SpanKind.SPAN_KIND_PRODUCER, true), s("aws.span.kind", "LOCAL_ROOT"),
                s("aws.local.service", "orders-svc")))
            .docs(2)
            .doc(0).expect("name", "GET /orders").expect("namespace", "remote").expect("type", "subsegment")
            .doc(1).expect("name", "orders-svc").expect("parent_id", PARENT_HEX).absent("namespace", "type"),
        c("LOCAL_ROOT unspecified kind: two documents")
            .span(withAttrs(span(SpanKind.SPAN_KIND_UNSPECIFIED, false), s("aws.span.kind", "LOCAL_ROOT")))
            .docs(2)
            .doc(0).expect("parent_id", "0000000000000001").expect("type", "subsegment")
            .doc(1).expect("id", "0000000000000001").expect("name", "checkout").absent("parent_id"),
        c("links without attributes omit the attributes key")
            .span(span(SpanKind.SPAN_KIND_SERVER, false).addLinks(Span.Link.newBuilder()
                .setTraceId(bytes(TRACE_HEX)).setSpanId(bytes(PARENT_HEX))))
            .expect("links/0/trace_id", "1-5f2aebcc-b475d14618c51eaa28753d37").absent("links/0/attributes"),
        c("http.status_text stays metadata when the status is not ERROR")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.status_text", "OK")))
            .expect("metadata/default/http.status_text", "OK").absent("cause"),
        c("exception event wins over the status message; non-AWS HTTP failure event ignored")
            .span(span(SpanKind.SPAN_KIND_SERVER, false)
                .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR).setMessage("status msg"))
                .addEvents(event("HTTP request failure", i("http.response.status_code", 500),
                    s("aws.http.error_message", "x")))
                .addEvents(event("exception", s("exception.type", "E"), s("exception.message", "from event"))))
            .expect("cause/exceptions/0/message", "from event").expect("cause/exceptions/0/remote", false)
            .absent("cause/exceptions/1"),
        c("two exception events give two exceptions in event order")
            .span(span(SpanKind.SPAN_KIND_PRODUCER, true)
                .addEvents(event("exception", s("exception.type", "A")))
                .addEvents(event("exception", s("exception.type", "B"))))
            .expect("cause/exceptions/0/type", "A").expect("cause/exceptions/1/type", "B")
            .expect("cause/exceptions/1/remote", true).expect("cause/exceptions/1/message", ""),
        c("single dynamodb table name from a one-element list")
            .span(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), arr("aws.dynamodb.table_names", "only")))
            .expect("aws/table_name", "only").absent("aws/table_names")
            .expect("metadata/default/aws.dynamodb.table_names/0", "only"),
        c("resource with non-aws provider still consumes aws attributes")
            .resource(resource(s("cloud.provider", "azure")))
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("aws.operation", "X")))
            .absent("aws", "metadata/default/aws.operation"),

        // ---- 14. encoding
        c("HTML characters escaped, still the same string")
            .span(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("html", "<a>&\u2028")))
            .expect("metadata/default/html", "<a>&\u2028"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translates(Case c) throws Exception {
    SpanToSegment t = translator(c.options);
    List<Document> docs = t.translate(t.prepare(c.resource), c.span);
    assertThat(docs).hasSize(c.docs);
    List<Map<String, Object>> parsed = new ArrayList<>();
    for (Document d : docs) {
      assertThat(d.json()).endsWith("}\n");
      assertThat(d.bytes()).isEqualTo(d.json().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      parsed.add(Json.object(d.json()));
    }
    for (Object[] check : c.checks) {
      Map<String, Object> doc = parsed.get((Integer) check[0]);
      String[] path = ((String) check[1]).split("/");
      Object expected = check[2];
      if (expected == ABSENT) {
        assertThat(Json.hasPath(doc, path)).as("%s absent in %s", check[1], doc).isFalse();
      } else {
        assertThat(Json.hasPath(doc, path) || expected == null && !Json.hasPath(doc, path))
            .as("%s present in %s", check[1], doc).isTrue();
        assertThat(Json.path(doc, path)).as("%s in %s", check[1], doc).isEqualTo(expected);
      }
    }
  }

  @Test
  void topLevelKeysInUpstreamOrder() throws Exception {
    SpanToSegment t = translator(indexed("a"));
    Span sp = withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("a", "1"), s("b", "2"), s("enduser.id", "u"),
        s("http.method", "GET"), s("db.system", "mysql"), s("db.name", "d"))
        .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR).setMessage("m")).build();
    Document d = t.translate(t.prepare(fargateResource()), sp).get(0);
    assertThat(Json.object(d.json()).keySet()).containsExactly("name", "id", "start_time", "origin", "user",
        "trace_id", "end_time", "http", "fault", "error", "throttle", "cause", "aws", "annotations", "metadata",
        "namespace", "parent_id", "type", "sql");
    assertThat(d.json()).startsWith("{\"name\":\"d\",\"id\"").doesNotContain(" \"").doesNotContain("\n{");
  }

  @Test
  void htmlEscapesAsGo() throws Exception {
    SpanToSegment t = translator(Options.DEFAULT);
    Document d = t.translate(t.prepare(Resource.getDefaultInstance()),
        withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true), s("html", "<a>&\u2028\u2029")).build()).get(0);
    assertThat(d.json()).contains("\"\\u003ca\\u003e\\u0026\\u2028\\u2029\"");
  }

  @Test
  void goFloatFormatting() {
    assertThat(SegmentJson.goFloat(1596648396.6399446)).isEqualTo("1596648396.6399446");
    assertThat(SegmentJson.goFloat(START / 1e9)).isEqualTo("1596648396.6399448");
    assertThat(SegmentJson.goFloat(END / 1e9)).isEqualTo("1596648396.640139");
    assertThat(SegmentJson.goFloat(1.5)).isEqualTo("1.5");
    assertThat(SegmentJson.goFloat(100)).isEqualTo("100");
    assertThat(SegmentJson.goFloat(1e20)).isEqualTo("100000000000000000000");
    assertThat(SegmentJson.goFloat(1e21)).isEqualTo("1e+21");
    assertThat(SegmentJson.goFloat(1.5e-7)).isEqualTo("1.5e-7");
    assertThat(SegmentJson.goFloat(0.000001)).isEqualTo("0.000001");
    assertThat(SegmentJson.goFloat(-0.25)).isEqualTo("-0.25");
    assertThat(SegmentJson.goFloat(0)).isEqualTo("0");
    assertThat(SegmentJson.goFloat(2e-3)).isEqualTo("0.002");
  }

  @Test
  void traceIdTimestampValidationOffByDefaultOnWhenConfigured() throws Exception {
    Span old = span(SpanKind.SPAN_KIND_SERVER, false).setTraceId(bytes("11" + TRACE_HEX.substring(2))).build();
    SpanToSegment lenient = translator(Options.DEFAULT);
    assertThat(lenient.translate(lenient.prepare(Resource.getDefaultInstance()), old)).hasSize(1);

    Options strict = new Options(List.of(), false, List.of(), false, true, Options.MAX_DOCUMENT_BYTES);
    SpanToSegment t = translator(strict);
    assertThatThrownBy(() -> t.translate(t.prepare(Resource.getDefaultInstance()), old))
        .isInstanceOf(SpanToSegment.TranslationException.class)
        .hasMessage("invalid xray traceid: 11" + TRACE_HEX.substring(2));
    // the fixture trace id was made at 1596648396, the translator's clock says 1596648400
    assertThat(t.translate(t.prepare(Resource.getDefaultInstance()), span(SpanKind.SPAN_KIND_SERVER, false).build()))
        .hasSize(1);
    Span badLink = span(SpanKind.SPAN_KIND_SERVER, false).addLinks(Span.Link.newBuilder()
        .setTraceId(bytes("11" + TRACE_HEX.substring(2))).setSpanId(bytes(PARENT_HEX))).build();
    assertThatThrownBy(() -> t.translate(t.prepare(Resource.getDefaultInstance()), badLink))
        .isInstanceOf(SpanToSegment.TranslationException.class);
  }

  @Test
  void nanDoubleFailsTheSpan() {
    SpanToSegment t = translator(Options.DEFAULT);
    Span sp = withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), d("x", Double.NaN)).build();
    assertThatThrownBy(() -> t.translate(t.prepare(Resource.getDefaultInstance()), sp))
        .isInstanceOf(SpanToSegment.TranslationException.class).hasMessageContaining("NaN");
  }

  @Test
  void oversizedDocumentShrinksMetadataThenStackThenAnnotations() throws Exception {
    Options small = new Options(List.of("big"), false, List.of(), true, true, 4000);
    SpanToSegment t = translator(small);
    Resource java = resource(s("telemetry.sdk.language", "java"));
    StringBuilder trace = new StringBuilder("java.lang.RuntimeException: x\n");
    for (int i = 0; i < 60; i++) {
      trace.append("\tat com.example.Deep.frame").append(i).append("(Deep.java:").append(i).append(")\n");
    }
    Span.Builder b = withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("meta", "m".repeat(3000)))
        .addEvents(event("exception", s("exception.type", "RuntimeException"),
            s("exception.stacktrace", trace.toString())));
    // 1. dropping metadata is enough
    Document d = t.translate(t.prepare(java), withAttrs(span(SpanKind.SPAN_KIND_SERVER, false),
        s("meta", "m".repeat(5000))).build()).get(0);
    assertThat(d.truncated()).isTrue();
    assertThat(d.bytes()).isLessThanOrEqualTo(4000);
    assertThat(Json.path(Json.object(d.json()), "metadata", "wharf", "truncated")).isEqualTo("metadata");
    // 2. metadata and stack frames
    d = t.translate(t.prepare(java), b.build()).get(0);
    Map<String, Object> doc = Json.object(d.json());
    assertThat(d.bytes()).isLessThanOrEqualTo(4000);
    assertThat(Json.path(doc, "cause", "exceptions", "0", "truncated")).isEqualTo(60L);
    assertThat(Json.hasPath(doc, "cause", "exceptions", "0", "stack")).isFalse();
    // 3. annotations too
    d = t.translate(t.prepare(java), withAttrs(b.clone(), s("big", "b".repeat(3900))).build()).get(0);
    doc = Json.object(d.json());
    assertThat(Json.hasPath(doc, "annotations")).isFalse();
    assertThat(Json.path(doc, "metadata", "wharf", "truncated")).isEqualTo("metadata,annotations");
    // 4. still too large: the span fails
    Span huge = withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("peer.service", "p".repeat(5000))).build();
    assertThatThrownBy(() -> t.translate(t.prepare(java), huge))
        .isInstanceOf(SpanToSegment.TranslationException.class).hasMessageContaining("limit is 4000");
  }

  @Test
  void fixtureSegmentShapeMatchesOurKeyNames() throws Exception {
    // The X-Ray SDK fixture uses the same block names and value types the translator writes.
    java.nio.file.Path fixture = SharedFolder.find().resolve("fixtures/xray/awsValidAwsFields.txt");
    Map<String, Object> sdkDoc = Json.object(java.nio.file.Files.readString(fixture));
    SpanToSegment t = translator(Options.DEFAULT);
    Map<String, Object> ours = Json.object(t.translate(t.prepare(resource(s("cloud.provider", "aws"),
        s("cloud.platform", "aws_ecs"), s("host.id", "i-075ad396f12bc325a"), s("container.name", "containerId1234"))),
        withAttrs(span(SpanKind.SPAN_KIND_SERVER, false), s("http.method", "GET"), s("http.url",
            "http://localhost:8000/"), s("http.client_ip", "127.0.0.1"), i("http.status_code", 200)).build()).get(0).json());
    assertThat(ours.get("trace_id")).isEqualTo(sdkDoc.get("trace_id"));
    assertThat(ours.get("id")).isEqualTo(sdkDoc.get("id"));
    assertThat(Json.path(ours, "http", "request", "url")).isEqualTo(Json.path(sdkDoc, "http", "request", "url"));
    assertThat(Json.path(ours, "http", "request", "x_forwarded_for")).isEqualTo(true);
    assertThat(Json.path(ours, "aws", "ecs", "container")).isEqualTo(Json.path(sdkDoc, "aws", "ecs", "container"));
    assertThat(Json.path(ours, "aws", "ec2", "instance_id")).isEqualTo(Json.path(sdkDoc, "aws", "ec2", "instance_id"));
  }
}
