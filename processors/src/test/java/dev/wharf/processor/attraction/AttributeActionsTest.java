package dev.wharf.processor.attraction;

import dev.wharf.pipeline.AnyValues;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttributeActionsTest {

  static KeyValue kv(String k, Object v) {
    return KeyValue.newBuilder().setKey(k).setValue(AttributeValues.fromYaml(v)).build();
  }

  static Map<String, Object> action(Object... pairs) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** Parses {@code attributes: [...]} under {@code processors.resource}; returns actions and problems. */
  static AttributeActions parse(ConfigProblems problems, List<Map<String, Object>> actions) {
    ConfigNode node = ConfigNode.of("processors.resource", Map.of("attributes", actions), problems);
    AttributeActions a = AttributeActions.parse(node, "attributes");
    node.checkUnknownKeys();
    return a;
  }

  static AttributeActions valid(List<Map<String, Object>> actions) {
    ConfigProblems p = new ConfigProblems();
    AttributeActions a = parse(p, actions);
    assertThat(p.list()).isEmpty();
    return a;
  }

  static Map<String, AnyValue> asMap(List<KeyValue> l) {
    Map<String, AnyValue> m = new LinkedHashMap<>();
    l.forEach(kv -> m.put(kv.getKey(), kv.getValue()));
    return m;
  }

  static AnyValue s(String v) {
    return AttributeValues.string(v);
  }

  @Test
  void insertOnlyWhenAbsentUpdateOnlyWhenPresentUpsertAlways() {
    AttributeActions a = valid(List.of(
        action("key", "new", "value", "v", "action", "insert"),
        action("key", "existing", "value", "ignored", "action", "insert"),
        action("key", "existing2", "value", 42, "action", "update"),
        action("key", "missing", "value", "x", "action", "update"),
        action("key", "up1", "value", true, "action", "upsert"),
        action("key", "existing3", "value", 1.5, "action", "UPSERT")));
    List<KeyValue> in = List.of(kv("existing", "e"), kv("existing2", "e2"), kv("existing3", "e3"));
    Map<String, AnyValue> out = asMap(a.apply(in));
    assertThat(out).containsOnlyKeys("existing", "existing2", "existing3", "new", "up1");
    assertThat(out.get("existing")).isEqualTo(s("e"));
    assertThat(out.get("existing2").getIntValue()).isEqualTo(42);
    assertThat(out.get("existing3").getDoubleValue()).isEqualTo(1.5);
    assertThat(out.get("new")).isEqualTo(s("v"));
    assertThat(out.get("up1").getBoolValue()).isTrue();
    // positions: updated keys keep theirs, new ones are appended in action order
    assertThat(a.apply(in)).extracting(KeyValue::getKey)
        .containsExactly("existing", "existing2", "existing3", "new", "up1");
  }

  @Test
  void fromAttributeCopiesAndSkipsWhenTheSourceIsMissing() {
    AttributeActions a = valid(List.of(
        action("key", "copy", "from_attribute", "src", "action", "insert"),
        action("key", "nothing", "from_attribute", "absent", "action", "upsert")));
    Map<String, AnyValue> out = asMap(a.apply(List.of(kv("src", 7))));
    assertThat(out).containsOnlyKeys("src", "copy");
    assertThat(out.get("copy").getIntValue()).isEqualTo(7);
  }

  @Test
  void deleteByKeyAndPattern() {
    AttributeActions a = valid(List.of(
        action("key", "a", "action", "delete"),
        action("pattern", "^secret\\.", "action", "delete")));
    List<KeyValue> out = a.apply(List.of(kv("a", 1), kv("secret.x", "s"), kv("b", 2), kv("secret.y", "t"),
        kv("not.secret.z", "u")));
    assertThat(out).extracting(KeyValue::getKey).containsExactly("b", "not.secret.z");
  }

  @Test
  void hashIsSha256OfTheValueBytes() throws Exception {
    AttributeActions a = valid(List.of(
        action("key", "user", "action", "hash"),
        action("key", "n", "action", "hash"),
        action("key", "b", "action", "hash"),
        action("pattern", "^d$", "action", "hash")));
    Map<String, AnyValue> out = asMap(a.apply(List.of(kv("user", "alice"), kv("n", 42L), kv("b", true),
        kv("d", 2.5), kv("untouched", "x"))));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    HexFormat hex = HexFormat.of();
    assertThat(out.get("user")).isEqualTo(s(hex.formatHex(sha.digest("alice".getBytes(StandardCharsets.UTF_8)))));
    assertThat(out.get("n")).isEqualTo(s(hex.formatHex(sha.digest(
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(42).array()))));
    assertThat(out.get("b")).isEqualTo(s(hex.formatHex(sha.digest(new byte[] {1}))));
    assertThat(out.get("d")).isEqualTo(s(hex.formatHex(sha.digest(
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Double.doubleToLongBits(2.5)).array()))));
    assertThat(out.get("untouched")).isEqualTo(s("x"));
    assertThat(out.get("user").getStringValue())
        .isEqualTo("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
  }

  @Test
  void extractSetsEveryNamedGroupIncludingGoSyntaxAndUnderscores() {
    AttributeActions a = valid(List.of(action("key", "http.url",
        "pattern", "^(?P<http_protocol>.*):\\/\\/(?P<http.domain>[^/]+)(?<path>/.*)?$", "action", "extract")));
    Map<String, AnyValue> out = asMap(a.apply(List.of(kv("http.url", "https://example.com/a/b"))));
    assertThat(out.get("http_protocol")).isEqualTo(s("https"));
    assertThat(out.get("http.domain")).isEqualTo(s("example.com"));
    assertThat(out.get("path")).isEqualTo(s("/a/b"));
    Map<String, AnyValue> noPath = asMap(a.apply(List.of(kv("http.url", "ftp://h"))));
    assertThat(noPath.get("path")).isEqualTo(s(""));
    List<KeyValue> nonString = List.of(kv("http.url", 5));
    assertThat(a.apply(nonString)).isSameAs(nonString);
    List<KeyValue> noMatch = List.of(kv("http.url", "no url"));
    assertThat(a.apply(noMatch)).isSameAs(noMatch);
  }

  @Test
  void convertFollowsUpstreamRules() {
    AttributeActions a = valid(List.of(
        action("key", "i1", "action", "convert", "converted_type", "int"),
        action("key", "i2", "action", "convert", "converted_type", "int"),
        action("key", "i3", "action", "convert", "converted_type", "int"),
        action("key", "d1", "action", "convert", "converted_type", "double"),
        action("key", "d2", "action", "convert", "converted_type", "double"),
        action("key", "s1", "action", "convert", "converted_type", "string"),
        action("key", "s2", "action", "convert", "converted_type", "string"),
        action("key", "bad", "action", "convert", "converted_type", "int")));
    Map<String, AnyValue> out = asMap(a.apply(List.of(kv("i1", "123"), kv("i2", 9.9), kv("i3", true),
        kv("d1", "1.25"), kv("d2", 3L), kv("s1", 2.0), kv("s2", 0.1), kv("bad", "12a"))));
    assertThat(out.get("i1").getIntValue()).isEqualTo(123);
    assertThat(out.get("i2").getIntValue()).isEqualTo(9);
    assertThat(out.get("i3").getIntValue()).isEqualTo(1);
    assertThat(out.get("d1").getDoubleValue()).isEqualTo(1.25);
    assertThat(out.get("d2").getDoubleValue()).isEqualTo(3.0);
    assertThat(out.get("s1")).isEqualTo(s("2"));
    assertThat(out.get("s2")).isEqualTo(s("0.1"));
    assertThat(out.get("bad")).isEqualTo(s("12a"));
  }

  @Test
  void unchangedListsAreReturnedAsIs() {
    AttributeActions a = valid(List.of(action("key", "x", "action", "delete"),
        action("key", "y", "value", "same", "action", "upsert")));
    List<KeyValue> in = List.of(kv("y", "same"), kv("z", 1));
    assertThat(a.apply(in)).isSameAs(in);
  }

  @Test
  void validationNamesThePathOfEveryProblem() {
    ConfigProblems p = new ConfigProblems();
    parse(p, List.of(
        action("key", "a", "value", "v", "action", "insert"),
        action("key", "b"),
        action("key", "c", "action", "rename"),
        action("key", "d", "action", "insert"),
        action("key", "e", "value", 1, "from_attribute", "x", "action", "upsert"),
        action("action", "delete"),
        action("key", "f", "action", "extract"),
        action("key", "g", "pattern", "(\\d+)", "action", "extract"),
        action("key", "h", "pattern", "(?P<x>a)(b)", "action", "extract"),
        action("key", "i", "action", "convert"),
        action("key", "j", "action", "convert", "converted_type", "bool"),
        action("key", "k", "value", 1, "action", "delete"),
        action("key", "l", "pattern", "[", "action", "hash"),
        action("key", "m", "from_context", "metadata.x", "action", "insert"),
        action("key", "n", "value", "v", "action", "insert", "pattern", "p"),
        action("key", "o", "value", "v", "action", "insert", "colour", "red")));
    List<String> messages = p.list().stream().map(Object::toString).toList();
    assertThat(messages).containsExactlyInAnyOrder(
        "processors.resource.attributes[1].action: is required: one of " + AttributeActions.ACTIONS,
        "processors.resource.attributes[2].action: expected one of " + AttributeActions.ACTIONS + ", got 'rename'",
        "processors.resource.attributes[3].value: one of value, from_attribute or from_context is required for action insert",
        "processors.resource.attributes[4].value: only one of value, from_attribute and from_context may be set",
        "processors.resource.attributes[5].key: at least one of key and pattern is required for action delete",
        "processors.resource.attributes[6].pattern: is required for action extract (a regular expression with named groups)",
        "processors.resource.attributes[7].pattern: contains no named groups such as (?P<name>...)",
        "processors.resource.attributes[8].pattern: contains at least one unnamed group; name every group or make it (?:...)",
        "processors.resource.attributes[9].converted_type: is required for action convert: one of [string, int, double]",
        "processors.resource.attributes[10].converted_type: expected one of [string, int, double], got 'bool'",
        "processors.resource.attributes[11].value: is not used by action delete; remove it",
        "processors.resource.attributes[12].pattern: invalid regular expression '[': Unclosed character class",
        "processors.resource.attributes[13].from_context: is not supported: Wharf pipelines carry no request context "
            + "(client address, metadata or auth); use value or from_attribute",
        "processors.resource.attributes[14].pattern: is not used by action insert; remove it",
        "processors.resource.attributes[15].colour: unknown key");
  }

  @Test
  void missingOrEmptyListIsAnError() {
    ConfigProblems p = new ConfigProblems();
    AttributeActions.parse(ConfigNode.of("processors.resource", Map.of(), p), "attributes");
    AttributeActions.parse(ConfigNode.of("processors.resource/2", Map.of("attributes", new ArrayList<>()), p),
        "attributes");
    assertThat(p.list()).extracting(Object::toString).containsExactly(
        "processors.resource.attributes: is required: a list of {key, action, ...} entries",
        "processors.resource/2.attributes: must contain at least one action");
  }

  @Test
  void asStringRendersLikePcommon() {
    assertThat(AnyValues.asString(AttributeValues.fromYaml(List.of(1, "a", Map.of("k", true)))))
        .isEqualTo("[1,\"a\",{\"k\":true}]");
    assertThat(dev.wharf.pipeline.AnyValues.formatDouble(1e21)).isEqualTo("1000000000000000000000");
    assertThat(dev.wharf.pipeline.AnyValues.formatDouble(-0.5)).isEqualTo("-0.5");
    assertThat(AttributeValues.parseGoFloat("1.5f")).isNull();
    assertThat(AttributeValues.parseGoFloat("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
  }
}
