package dev.wharf.testing.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an AWS Signature Version 4 {@code Authorization} header by recomputing the signature from
 * the request, following the algorithm AWS documents ("Create a signed AWS API request"): canonical
 * request → string to sign → HMAC-SHA256 signing key derived from the secret, date, region and
 * service → signature. Also checks the credential scope (access key, date, region, service), the
 * {@code x-amz-date} clock skew, that {@code host} is signed, and {@code x-amz-content-sha256} when
 * the client sent it.
 */
public final class SigV4Verifier {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final String accessKey;
  private final String secretKey;
  private final String region;
  private final String service;

  public SigV4Verifier(String accessKey, String secretKey, String region, String service) {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
    this.service = service;
  }

  /**
   * @param headers request headers, names in any case
   * @param rawPath the path as sent (percent-encoded)
   * @param rawQuery the query as sent, or null
   * @return the problems found; empty when the signature is valid
   */
  public List<String> verify(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
      byte[] body) {
    List<String> problems = new ArrayList<>();
    Map<String, List<String>> h = new TreeMap<>();
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      h.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(e.getValue());
    }
    String auth = first(h, "authorization");
    if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 ")) {
      problems.add("no AWS4-HMAC-SHA256 Authorization header");
      return problems;
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : auth.substring("AWS4-HMAC-SHA256 ".length()).split(",")) {
      String p = part.trim();
      if (p.startsWith("Credential=")) {
        credential = p.substring("Credential=".length());
      } else if (p.startsWith("SignedHeaders=")) {
        signedHeaders = p.substring("SignedHeaders=".length());
      } else if (p.startsWith("Signature=")) {
        signature = p.substring("Signature=".length());
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      problems.add("Authorization header lacks Credential, SignedHeaders or Signature: " + auth);
      return problems;
    }
    String[] scope = credential.split("/");
    if (scope.length != 5) {
      problems.add("malformed credential scope " + credential);
      return problems;
    }
    if (!scope[0].equals(accessKey)) {
      problems.add("signed with access key " + scope[0] + ", expected " + accessKey);
    }
    if (!scope[2].equals(region)) {
      problems.add("signed for region " + scope[2] + ", expected " + region);
    }
    if (!scope[3].equals(service)) {
      problems.add("signed for service " + scope[3] + ", expected " + service);
    }
    if (!scope[4].equals("aws4_request")) {
      problems.add("credential scope does not end with aws4_request: " + credential);
    }
    String amzDate = first(h, "x-amz-date");
    if (amzDate == null) {
      problems.add("no x-amz-date header");
      return problems;
    }
    if (!amzDate.startsWith(scope[1])) {
      problems.add("x-amz-date " + amzDate + " does not match the credential date " + scope[1]);
    }
    try {
      Instant signedAt = AMZ_DATE.parse(amzDate, Instant::from);
      if (Duration.between(signedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(5)) > 0) {
        problems.add("x-amz-date " + amzDate + " is more than 5 minutes from now");
      }
    } catch (RuntimeException e) {
      problems.add("unparsable x-amz-date " + amzDate);
    }
    List<String> signed = List.of(signedHeaders.split(";"));
    if (!signed.contains("host")) {
      problems.add("host is not a signed header");
    }
    String payloadHash = hex(sha256(body));
    String declared = first(h, "x-amz-content-sha256");
    if (declared != null && !declared.equals(payloadHash) && !declared.startsWith("UNSIGNED-PAYLOAD")
        && !declared.startsWith("STREAMING-")) {
      problems.add("x-amz-content-sha256 does not match the body");
    }
    String hashForSignature = declared != null && (declared.startsWith("UNSIGNED-PAYLOAD")
        || declared.startsWith("STREAMING-")) ? declared : payloadHash;

    StringBuilder canonical = new StringBuilder();
    canonical.append(method).append('\n');
    canonical.append(canonicalUri(rawPath)).append('\n');
    canonical.append(canonicalQuery(rawQuery)).append('\n');
    for (String name : signed) {
      List<String> values = h.get(name);
      if (values == null) {
        problems.add("signed header " + name + " is missing from the request");
        return problems;
      }
      List<String> trimmed = new ArrayList<>();
      for (String v : values) {
        trimmed.add(v.trim().replaceAll(" +", " "));
      }
      canonical.append(name).append(':').append(String.join(",", trimmed)).append('\n');
    }
    canonical.append('\n').append(signedHeaders).append('\n').append(hashForSignature);

    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope[1] + "/" + scope[2] + "/" + scope[3]
        + "/aws4_request\n" + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), scope[1]);
    key = hmac(key, scope[2]);
    key = hmac(key, scope[3]);
    key = hmac(key, "aws4_request");
    String expected = hex(hmac(key, stringToSign));
    if (!expected.equals(signature)) {
      problems.add("signature mismatch: expected " + expected + " for canonical request:\n" + canonical);
    }
    return problems;
  }

  /** Each path segment decoded then encoded per RFC 3986 (unreserved characters kept), then encoded again (non-S3). */
  static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    StringBuilder b = new StringBuilder();
    String[] segments = rawPath.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        b.append('/');
      }
      // As sent, the segment is already encoded once; the canonical form for services other than S3
      // encodes it a second time.
      b.append(encode(encode(URLDecoder.decode(segments[i].replace("+", "%2B"), StandardCharsets.UTF_8))));
    }
    return b.toString();
  }

  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    TreeMap<String, List<String>> params = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.computeIfAbsent(encode(k), x -> new ArrayList<>()).add(encode(v));
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      List<String> vs = new ArrayList<>(e.getValue());
      vs.sort(null);
      for (String v : vs) {
        out.add(e.getKey() + "=" + v);
      }
    }
    return String.join("&", out);
  }

  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.' || c == '~') {
        b.append(c);
      } else {
        b.append('%').append(String.format("%02X", x & 0xff));
      }
    }
    return b.toString();
  }

  private static String first(Map<String, List<String>> h, String name) {
    List<String> v = h.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
