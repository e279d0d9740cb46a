package dev.wharf.testing;

import com.google.protobuf.Message;
import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentFactory;
import dev.wharf.component.ComponentId;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.Host;
import dev.wharf.component.Processor;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.ReceiverFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.service.Components;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Receivers, processors and exporters that record what happens to them, for graph and lifecycle
 * tests. State lives in the instance, so each test makes its own.
 */
public final class TestComponents {
  /** Lifecycle events in order: "start receiver r1", "stop exporter e1/traces", ... */
  public final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
  /** The consumers each receiver was given, by receiver id. */
  public final Map<String, Consumers> receivers = new ConcurrentHashMap<>();
  /** What each exporter (id/signal) received. */
  public final Map<String, RecordingConsumer<?>> exporters = new ConcurrentHashMap<>();
  public int receiverInstances;
  public int processorInstances;

  /** Registry with the test components plus any others given. */
  public Components components(ComponentFactory<?>... more) {
    List<ComponentFactory<?>> all = new ArrayList<>(List.of(new Rcv(), new Proc(), new Exp(), new TracesOnlyExp()));
    all.addAll(List.of(more));
    return Components.of(all);
  }

  /** Sends traces from receiver {@code id} into its pipelines. */
  public void sendTraces(String id, TracesData data) {
    receivers.get(id).traces().consume(data);
  }

  @SuppressWarnings("unchecked")
  public <T extends Message> RecordingConsumer<T> exported(String exporterId, Signal<T> signal) {
    return (RecordingConsumer<T>) exporters.get(exporterId + "/" + signal.id());
  }

  /** Config of test components: {@code tag} (string) and {@code delay} (duration). */
  public record TestConfig(String tag, Duration delay) {
    static TestConfig parse(ConfigNode n) {
      return new TestConfig(n.string("tag", ""), n.duration("delay", Duration.ZERO));
    }
  }

  private static final Map<Signal<?>, Stability> ALL = Map.of(
      Signal.TRACES, Stability.STABLE, Signal.METRICS, Stability.STABLE, Signal.LOGS, Stability.STABLE);

  final class Rcv implements ReceiverFactory<TestConfig> {
    @Override
    public String type() {
      return "testrcv";
    }

    @Override
    public Map<Signal<?>, Stability> signals() {
      return ALL;
    }

    @Override
    public TestConfig parseConfig(ConfigNode node) {
      return TestConfig.parse(node);
    }

    @Override
    public Component createReceiver(ComponentContext context, TestConfig config, Consumers next) {
      receiverInstances++;
      String id = context.id().toString();
      receivers.put(id, next);
      return new Component() {
        @Override
        public void start(Host host) {
          events.add("start receiver " + id);
        }

        @Override
        public void shutdown(long deadlineNanos) {
          events.add("stop receiver " + id);
        }
      };
    }
  }

  final class Proc implements ProcessorFactory<TestConfig> {
    @Override
    public String type() {
      return "testproc";
    }

    @Override
    public Map<Signal<?>, Stability> signals() {
      return ALL;
    }

    @Override
    public TestConfig parseConfig(ConfigNode node) {
      return TestConfig.parse(node);
    }

    @Override
    public <T extends Message> Processor<T> createProcessor(
        ComponentContext context, TestConfig config, Signal<T> signal, TelemetryConsumer<T> next) {
      processorInstances++;
      String id = context.id() + "/" + signal.id() + "#" + processorInstances;
      return new Processor<T>() {
        @Override
        public void consume(T data) {
          next.consume(data);
        }

        @Override
        public void start(Host host) {
          events.add("start processor " + id);
        }

        @Override
        public void shutdown(long deadlineNanos) {
          events.add("stop processor " + id);
        }
      };
    }
  }

  class Exp implements ExporterFactory<TestConfig> {
    @Override
    public String type() {
      return "testexp";
    }

    @Override
    public Map<Signal<?>, Stability> signals() {
      return ALL;
    }

    @Override
    public TestConfig parseConfig(ConfigNode node) {
      return TestConfig.parse(node);
    }

    @Override
    public <T extends Message> Exporter<T> createExporter(ComponentContext context, TestConfig config, Signal<T> signal) {
      String id = context.id() + "/" + signal.id();
      RecordingConsumer<T> rec = new RecordingConsumer<>(signal);
      exporters.put(id, rec);
      return new Exporter<T>() {
        @Override
        public void consume(T data) {
          rec.consume(data);
        }

        @Override
        public void start(Host host) {
          events.add("start exporter " + id);
        }

        @Override
        public void shutdown(long deadlineNanos) {
          events.add("stop exporter " + id);
        }
      };
    }
  }

  final class TracesOnlyExp extends Exp {
    @Override
    public String type() {
      return "tracesonly";
    }

    @Override
    public Map<Signal<?>, Stability> signals() {
      return Map.of(Signal.TRACES, Stability.ALPHA);
    }
  }

  /** Utility for tests needing an id. */
  public static ComponentId id(String s) {
    return ComponentId.parse(s);
  }
}
