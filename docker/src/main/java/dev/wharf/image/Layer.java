package dev.wharf.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named set of entries. Parent directories that are not listed are added (root-owned, 0755), and
 * entries are written sorted by path so the layer's bytes do not depend on insertion order.
 */
public final class Layer {
    private final String name;
    private final Map<String, LayerEntry> entries = new LinkedHashMap<>();

    public Layer(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Layer add(LayerEntry entry) {
        LayerEntry previous = entries.putIfAbsent(entry.path(), entry);
        if (previous != null && !(previous.type() == LayerEntry.Type.DIRECTORY && entry.type() == LayerEntry.Type.DIRECTORY)) {
            throw new IllegalArgumentException("layer " + name + ": " + entry.path() + " added twice");
        }
        if (previous != null) {
            entries.put(entry.path(), entry); // an explicit directory (owner, mode) wins over an implied one
        }
        return this;
    }

    public boolean contains(String path) {
        return entries.containsKey(path);
    }

    /** Every entry plus implied parent directories, sorted by path. */
    public List<LayerEntry> sortedEntries() {
        Map<String, LayerEntry> all = new LinkedHashMap<>(entries);
        for (LayerEntry entry : entries.values()) {
            String parent = parentOf(entry.path());
            while (parent != null && !all.containsKey(parent)) {
                all.put(parent, LayerEntry.directory(parent, 0755, 0, 0));
                parent = parentOf(parent);
            }
        }
        List<LayerEntry> sorted = new ArrayList<>(all.values());
        sorted.sort(Comparator.comparing(LayerEntry::path));
        return sorted;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? null : path.substring(0, slash);
    }
}
