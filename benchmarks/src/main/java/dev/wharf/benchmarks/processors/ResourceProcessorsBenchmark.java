package dev.wharf.benchmarks.processors;

import dev.wharf.component.BuildInfo;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentId;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Host;
import dev.wharf.component.Processor;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.attributes.AttributesProcessorFactory;
import dev.wharf.processor.resource.ResourceProcessorFactory;
import dev.wharf.processor.resourcedetection.ResourceDetectionProcessorFactory;
import dev.wharf.telemetry.SelfTelemetry;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Cost per batch (one ResourceSpans of 100 spans, a fresh message each time as a receiver would
 * parse it) of the resourcedetection merge (15 detected attributes, as on ECS), the resource
 * processor with the ecs-cloudwatch preset's 24 actions, and the attributes processor (upsert +
 * hash on every span). Run: {@code java -jar benchmarks/target/benchmarks.jar ResourceProcessors}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResourceProcessorsBenchmark {
  private Processor<TracesData> detection;
  private Processor<TracesData> resource;
  private Processor<TracesData> attributes;
  private byte[] batch;
  private TracesData parsed;
  private final Blackhole[] sink = new Blackhole[1];

  @Setup(Level.Trial)
  public void setup(Blackhole bh) throws Exception {
    sink[0] = bh;
    StringBuilder env = new StringBuilder();
    String[] ecs = {"cloud.provider=aws", "cloud.platform=aws_ecs", "aws.ecs.task.arn=arn:aws:ecs:us-east-1:1:task/c/t",
        "aws.ecs.task.family=fam", "aws.ecs.task.revision=9", "cloud.account.id=1", "cloud.region=us-east-1",
        "aws.ecs.task.id=t", "aws.ecs.cluster.arn=arn:aws:ecs:us-east-1:1:cluster/c", "cloud.availability_zone=us-east-1a",
        "aws.ecs.launchtype=fargate", "aws.log.group.names=g", "aws.log.group.arns=ga", "aws.log.stream.names=s",
        "aws.log.stream.arns=sa"};
    env.append(String.join(",", ecs));
    TracesConsumerSink out = new TracesConsumerSink();
    detection = new ResourceDetectionProcessorFactory().createProcessor(ctx("resourcedetection", env.toString()),
        new ResourceDetectionProcessorFactory().parseConfig(node("detectors: [env]")), Signal.TRACES, out);
    detection.start(NO_HOST);
    resource = new ResourceProcessorFactory().createProcessor(ctx("resource", ""),
        new ResourceProcessorFactory().parseConfig(node(RESOURCE_ACTIONS)), Signal.TRACES, out);
    attributes = new AttributesProcessorFactory().createProcessor(ctx("attributes", ""),
        new AttributesProcessorFactory().parseConfig(node("actions: [{key: env, value: prod, action: upsert}, "
            + "{key: user.id, action: hash}]")), Signal.TRACES, out);

    List<KeyValue> res = new ArrayList<>();
    res.add(kv("service.name", "checkout"));
    res.add(kv("telemetry.sdk.language", "java"));
    for (String e : ecs) {
      res.add(kv(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
    }
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < 100; i++) {
      ss.addSpans(Span.newBuilder().setName("GET /orders/" + i).addAttributes(kv("http.method", "GET"))
          .addAttributes(kv("user.id", "user-" + i)));
    }
    batch = TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(res.subList(0, 2))).addScopeSpans(ss)).build().toByteArray();
    parsed = TracesData.parseFrom(batch);
  }

  @Benchmark
  public void parseOnly(Blackhole bh) throws Exception {
    bh.consume(TracesData.parseFrom(batch));
  }

  @Benchmark
  public void resourceDetectionMerge() throws Exception {
    detection.consume(TracesData.parseFrom(batch));
  }

  @Benchmark
  public void resourceDetectionMergeSameMessage() {
    detection.consume(parsed);
  }

  @Benchmark
  public void resourcePresetActions() throws Exception {
    resource.consume(TracesData.parseFrom(batch));
  }

  @Benchmark
  public void attributesUpsertAndHash100Spans() throws Exception {
    attributes.consume(TracesData.parseFrom(batch));
  }

  private final class TracesConsumerSink implements dev.wharf.pipeline.TelemetryConsumer<TracesData> {
    @Override
    public void consume(TracesData data) {
      sink[0].consume(data);
    }
  }

  private static final String RESOURCE_ACTIONS = "attributes:\n"
      + "  - {key: TaskDefinitionFamily, from_attribute: aws.ecs.task.family, action: insert}\n"
      + "  - {key: aws.ecs.task.family, action: delete}\n"
      + "  - {key: InstanceId, from_attribute: host.id, action: insert}\n"
      + "  - {key: host.id, action: delete}\n"
      + "  - {key: TaskARN, from_attribute: aws.ecs.task.arn, action: insert}\n"
      + "  - {key: aws.ecs.task.arn, action: delete}\n"
      + "  - {key: TaskDefinitionRevision, from_attribute: aws.ecs.task.revision, action: insert}\n"
      + "  - {key: aws.ecs.task.revision, action: delete}\n"
      + "  - {key: LaunchType, from_attribute: aws.ecs.launchtype, action: insert}\n"
      + "  - {key: aws.ecs.launchtype, action: delete}\n"
      + "  - {key: ClusterARN, from_attribute: aws.ecs.cluster.arn, action: insert}\n"
      + "  - {key: aws.ecs.cluster.arn, action: delete}\n"
      + "  - {key: cloud.provider, action: delete}\n"
      + "  - {key: cloud.platform, action: delete}\n"
      + "  - {key: cloud.account.id, action: delete}\n"
      + "  - {key: cloud.region, action: delete}\n"
      + "  - {key: cloud.availability_zone, action: delete}\n"
      + "  - {key: aws.log.group.names, action: delete}\n"
      + "  - {key: aws.log.group.arns, action: delete}\n"
      + "  - {key: aws.log.stream.names, action: delete}\n"
      + "  - {key: host.image.id, action: delete}\n"
      + "  - {key: host.name, action: delete}\n"
      + "  - {key: host.type, action: delete}\n";

  private static final Host NO_HOST = new Host() {
    @Override
    public Optional<dev.wharf.component.Component> extension(ComponentId id) {
      return Optional.empty();
    }

    @Override
    public ServiceStatus status() {
      return null;
    }
  };

  @SuppressWarnings("unchecked")
  private static ConfigNode node(String yaml) {
    ConfigProblems p = new ConfigProblems();
    ConfigNode n = ConfigNode.of("processors.x",
        (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml), p);
    if (!p.isEmpty()) {
      throw new IllegalStateException(p.toString());
    }
    return n;
  }

  private static ComponentContext ctx(String id, String resourceAttributes) {
    return new ComponentContext(ComponentId.parse(id), ComponentKind.PROCESSOR, Signal.TRACES,
        SelfTelemetry.inMemory(), Map.of("OTEL_RESOURCE_ATTRIBUTES", resourceAttributes), BuildInfo.current());
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }
}
