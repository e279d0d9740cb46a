package dev.wharf.processor.memorylimiter;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Memory of this JVM. Heap is the smaller of "used now" and "used right after the last collection"
 * (from the collectors' notifications): Java lets garbage pile up until the next collection, so heap
 * used alone would look like a leak between collections, while heap after the last collection is
 * what the process really keeps. Non-heap pools and NIO buffer pools are added because they count
 * against the container limit just the same.
 */
public final class JvmMemorySource implements MemorySource {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<BufferPoolMXBean> bufferPools =
      ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
  private final Set<String> heapPools = new HashSet<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onGc;
  private volatile long heapAfterLastGc = -1;

  public JvmMemorySource() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        heapPools.add(p.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(listener, null, null);
        emitters.add(e);
      }
    }
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    heapAfterLastGc = used;
  }

  @Override
  public Usage read() {
    long heapNow = memory.getHeapMemoryUsage().getUsed();
    long afterGc = heapAfterLastGc;
    long heap = afterGc >= 0 ? Math.min(heapNow, afterGc) : heapNow;
    long nonHeap = memory.getNonHeapMemoryUsage().getUsed();
    long direct = 0;
    for (BufferPoolMXBean b : bufferPools) {
      direct += Math.max(0, b.getMemoryUsed());
    }
    return new Usage(heap, nonHeap, direct);
  }

  @Override
  public void gc() {
    System.gc();
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // already removed
      }
    }
    emitters.clear();
  }
}
