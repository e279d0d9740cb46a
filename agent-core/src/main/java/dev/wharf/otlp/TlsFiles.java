package dev.wharf.otlp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Key and trust material from PEM files, as the upstream collector's {@code tls} settings name them
 * ({@code cert_file}, {@code key_file}, {@code ca_file}, {@code client_ca_file}). Shared by the OTLP
 * servers and clients of both transports so that PEM handling has one implementation.
 *
 * <p>Private keys: PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA, EC or Ed25519) and PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}). Errors name the file and what was wrong with it.
 */
public final class TlsFiles {
  private TlsFiles() {}

  /** Key managers presenting the certificate chain in {@code certFile} with the key in {@code keyFile}. */
  public static KeyManager[] keyManagers(Path certFile, Path keyFile) throws IOException {
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("key", key, new char[0], chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      return kmf.getKeyManagers();
    } catch (GeneralSecurityException e) {
      throw new IOException("the key in " + keyFile + " does not fit the certificate in " + certFile + ": " + e.getMessage(), e);
    }
  }

  /** Trust managers trusting exactly the certificates in {@code caFile}. */
  public static TrustManager[] trustManagers(Path caFile) throws IOException {
    List<X509Certificate> cas = certificates(caFile);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf.getTrustManagers();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the certificates in " + caFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Trusts any server certificate and any host name: {@code insecure_skip_verify}. An
   * X509ExtendedTrustManager, so that JSSE does not add its own host name check around it.
   * Never use it for servers.
   */
  public static TrustManager[] trustAll() {
    return new TrustManager[] {new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {}

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }};
  }

  /** A TLS context; null key or trust managers mean the JDK defaults (no client cert, system CAs). */
  public static SSLContext context(KeyManager[] keyManagers, TrustManager[] trustManagers) throws IOException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers, trustManagers, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** Every certificate in a PEM file. */
  public static List<X509Certificate> certificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends java.security.cert.Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      List<X509Certificate> out = new ArrayList<>();
      for (java.security.cert.Certificate c : certs) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException(file + " holds no PEM certificate");
      }
      return out;
    } catch (CertificateException e) {
      throw new IOException(file + " is not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  /** The private key in a PEM file. */
  public static PrivateKey privateKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    byte[] der;
    boolean pkcs1 = false;
    if (text.contains("-----BEGIN PRIVATE KEY-----")) {
      der = pemBlock(text, "PRIVATE KEY", file);
    } else if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
      der = pemBlock(text, "RSA PRIVATE KEY", file);
      pkcs1 = true;
    } else if (text.contains("-----BEGIN EC PRIVATE KEY-----") || text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IOException(file + ": only unencrypted PKCS#8 (BEGIN PRIVATE KEY) and PKCS#1 RSA keys are supported;"
          + " convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
    } else {
      throw new IOException(file + " holds no PEM private key");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs1 ? pkcs1ToPkcs8(der) : der);
    for (String alg : pkcs1 ? new String[] {"RSA"} : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IOException(file + ": unsupported or corrupt private key");
  }

  private static byte[] pemBlock(String text, String label, Path file) throws IOException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end, b);
    if (b < 0 || e < 0) {
      throw new IOException(file + ": incomplete PEM block " + label);
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new IOException(file + ": PEM block " + label + " is not valid base64", ex);
    }
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption). */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] rsaAlgorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(new byte[] {0x02, 0x01, 0x00}, 0, 3);
    body.write(rsaAlgorithm, 0, rsaAlgorithm.length);
    body.write(0x04);
    writeLength(body, pkcs1.length);
    body.write(pkcs1, 0, pkcs1.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    writeLength(out, body.size());
    byte[] b = body.toByteArray();
    out.write(b, 0, b.length);
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int len) {
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
  }
}
