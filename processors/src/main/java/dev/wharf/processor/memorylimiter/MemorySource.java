package dev.wharf.processor.memorylimiter;

/**
 * Where the limiter reads memory use and asks for a collection. The JVM implementation is
 * {@link JvmMemorySource}; tests inject their own.
 */
public interface MemorySource extends AutoCloseable {

  /** What the process holds now, as far as the JVM can tell. */
  Usage read();

  /** Asks the JVM for a full collection (System.gc()). */
  void gc();

  @Override
  default void close() {}

  /**
   * @param heapBytes live heap: the smaller of heap used now and heap used right after the last
   *     collection (garbage the collector will reclaim on its own does not count)
   * @param nonHeapBytes metaspace, compressed class space, code cache
   * @param directBytes NIO direct and mapped buffers (Netty/gRPC buffers when they are direct)
   */
  record Usage(long heapBytes, long nonHeapBytes, long directBytes) {
    public long total() {
      return heapBytes + nonHeapBytes + directBytes;
    }
  }
}
