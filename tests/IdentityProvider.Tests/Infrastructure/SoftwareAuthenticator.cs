using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A virtual WebAuthn authenticator for tests (ES256 on P-256, "none" attestation) that answers
/// creation and request options with the JSON a browser's <c>PublicKeyCredential.toJSON()</c> gives,
/// so ceremonies can be recorded, altered in one respect, and replayed. Each returned string is the
/// whole recording: posting the same string again is a replay.
/// See https://www.w3.org/TR/webauthn-3/#sctn-authenticator-data and #sctn-attestation.
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    public const string CreationType = "webauthn.create";
    public const string AssertionType = "webauthn.get";

    // Authenticator data flags, WebAuthn §6.1.
    private const byte UserPresent = 0x01;
    private const byte UserVerifiedFlag = 0x04;
    private const byte BackupEligibleFlag = 0x08;
    private const byte BackedUpFlag = 0x10;
    private const byte AttestedCredentialData = 0x40;

    private readonly List<StoredCredential> _credentials = [];

    /// <summary>Sets the UV flag; off for an authenticator that only tests presence (a security key without PIN).</summary>
    public bool UserVerified { get; set; } = true;

    /// <summary>Sets the BE flag (a synced passkey) and with it BS.</summary>
    public bool BackupEligible { get; set; }

    public IReadOnlyList<StoredCredential> Credentials => _credentials;

    /// <summary>Answers <c>navigator.credentials.create</c> with a new credential, which this authenticator keeps.</summary>
    /// <param name="rpId">Overrides the options' <c>rp.id</c> in the authenticator data (a wrong RP ID hash).</param>
    /// <param name="clientDataType">Overrides <c>clientData.type</c> (default <c>webauthn.create</c>).</param>
    public string CreateAttestation(string creationOptionsJson, string origin, string? rpId = null, string clientDataType = CreationType)
    {
        using var options = JsonDocument.Parse(creationOptionsJson);
        var root = options.RootElement;
        var challenge = root.GetProperty("challenge").GetString()!;
        var optionsRpId = root.GetProperty("rp").GetProperty("id").GetString()!;
        // user.id is already the base64url of the user handle's bytes; the handle is kept as bytes.
        var userHandle = Base64Url.DecodeFromChars(root.GetProperty("user").GetProperty("id").GetString());

        var credential = new StoredCredential(
            RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(16, 33)),
            userHandle,
            optionsRpId,
            ECDsa.Create(ECCurve.NamedCurves.nistP256));
        _credentials.Add(credential);

        var clientDataJson = ClientDataJson(clientDataType, challenge, origin);
        var authenticatorData = AuthenticatorData(rpId ?? optionsRpId, (byte)(Flags() | AttestedCredentialData), credential.SignCount, credential);
        var attestationObject = new Cbor()
            .Map(3)
            .Text("fmt").Text("none")
            .Text("attStmt").Map(0)
            .Text("authData").Bytes(authenticatorData)
            .ToArray();

        return JsonSerializer.Serialize(new
        {
            id = Encode(credential.Id),
            rawId = Encode(credential.Id),
            type = "public-key",
            response = new
            {
                clientDataJSON = Encode(clientDataJson),
                attestationObject = Encode(attestationObject),
                transports = new[] { "internal" },
            },
            clientExtensionResults = new { },
            authenticatorAttachment = "platform",
        });
    }

    /// <summary>
    /// Answers <c>navigator.credentials.get</c> with a held credential: the first one in
    /// <c>allowCredentials</c>, or, for a discoverable-credential request, the newest for the RP ID.
    /// </summary>
    /// <param name="rpId">Overrides the RP ID whose hash goes into the authenticator data.</param>
    /// <param name="clientDataType">Overrides <c>clientData.type</c> (default <c>webauthn.get</c>).</param>
    /// <param name="signCount">The counter to report; by default the previous one plus one. The credential keeps it.</param>
    public string CreateAssertion(
        string requestOptionsJson, string origin, string? rpId = null, string clientDataType = AssertionType, uint? signCount = null)
    {
        using var options = JsonDocument.Parse(requestOptionsJson);
        var root = options.RootElement;
        var challenge = root.GetProperty("challenge").GetString()!;
        var optionsRpId = root.TryGetProperty("rpId", out var rp) && rp.GetString() is { } id ? id : null;
        var credential = ChooseCredential(root, optionsRpId);

        credential.SignCount = signCount ?? credential.SignCount + 1;
        var clientDataJson = ClientDataJson(clientDataType, challenge, origin);
        var authenticatorData = AuthenticatorData(rpId ?? credential.RpId, Flags(), credential.SignCount, attested: null);
        // WebAuthn §6.3.3: the signature covers authenticatorData ‖ SHA-256(clientDataJSON); ES256 signatures
        // are carried as ASN.1 DER (§6.5.5), not the raw r‖s that .NET produces by default.
        var signature = credential.Key.SignData(
            [.. authenticatorData, .. SHA256.HashData(clientDataJson)],
            HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);

        return JsonSerializer.Serialize(new
        {
            id = Encode(credential.Id),
            rawId = Encode(credential.Id),
            type = "public-key",
            response = new
            {
                clientDataJSON = Encode(clientDataJson),
                authenticatorData = Encode(authenticatorData),
                signature = Encode(signature),
                userHandle = Encode(credential.UserHandle),
            },
            clientExtensionResults = new { },
            authenticatorAttachment = "platform",
        });
    }

    public void Dispose()
    {
        foreach (var credential in _credentials)
        {
            credential.Key.Dispose();
        }
    }

    private StoredCredential ChooseCredential(JsonElement options, string? rpId)
    {
        var allowed = options.TryGetProperty("allowCredentials", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList()
            : [];
        var candidates = _credentials.Where(c => rpId is null || c.RpId == rpId);
        var chosen = allowed.Count > 0
            ? candidates.FirstOrDefault(c => allowed.Contains(Encode(c.Id)))
            : candidates.LastOrDefault();
        return chosen ?? throw new InvalidOperationException("The authenticator holds no credential for these request options.");
    }

    private byte Flags() =>
        (byte)(UserPresent
            | (UserVerified ? UserVerifiedFlag : 0)
            | (BackupEligible ? BackupEligibleFlag | BackedUpFlag : 0));

    private static byte[] ClientDataJson(string type, string challenge, string origin) =>
        JsonSerializer.SerializeToUtf8Bytes(new { type, challenge, origin, crossOrigin = false });

    /// <summary>WebAuthn §6.1: rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian) ‖ attested credential data.</summary>
    private static byte[] AuthenticatorData(string rpId, byte flags, uint signCount, StoredCredential? attested)
    {
        var data = new List<byte>(SHA256.HashData(Encoding.UTF8.GetBytes(rpId))) { flags };
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, signCount);
        data.AddRange(counter);
        if (attested is not null)
        {
            // §6.5.1: AAGUID (16, zero for "none") ‖ credentialIdLength (2, big-endian) ‖ credentialId ‖ COSE_Key.
            data.AddRange(new byte[16]);
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)attested.Id.Length);
            data.AddRange(length);
            data.AddRange(attested.Id);
            data.AddRange(CoseKey(attested.Key));
        }

        return [.. data];
    }

    /// <summary>RFC 9053 §7.1.1 EC2 key: kty 2, alg -7 (ES256), crv 1 (P-256), x and y as 32-byte strings.</summary>
    private static byte[] CoseKey(ECDsa key)
    {
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        return new Cbor()
            .Map(5)
            .Int(1).Int(2)
            .Int(3).Int(-7)
            .Int(-1).Int(1)
            .Int(-2).Bytes(point.X!)
            .Int(-3).Bytes(point.Y!)
            .ToArray();
    }

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public sealed class StoredCredential(byte[] id, byte[] userHandle, string rpId, ECDsa key)
    {
        public byte[] Id { get; } = id;

        public byte[] UserHandle { get; } = userHandle;

        public string RpId { get; } = rpId;

        public ECDsa Key { get; } = key;

        public uint SignCount { get; set; }
    }

    /// <summary>The few CBOR items (RFC 8949 §3.1) that attestation objects and COSE keys use, definite lengths only.</summary>
    private sealed class Cbor
    {
        private readonly List<byte> _bytes = [];

        public Cbor Int(long value) => value >= 0 ? Head(0, (ulong)value) : Head(1, (ulong)(-1 - value));

        public Cbor Bytes(byte[] value)
        {
            Head(2, (ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public Cbor Text(string value)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            Head(3, (ulong)utf8.Length);
            _bytes.AddRange(utf8);
            return this;
        }

        /// <summary>Starts a map of <paramref name="pairs"/> key/value pairs; the caller writes them next.</summary>
        public Cbor Map(int pairs) => Head(5, (ulong)pairs);

        public byte[] ToArray() => [.. _bytes];

        private Cbor Head(byte major, ulong argument)
        {
            var type = (byte)(major << 5);
            switch (argument)
            {
                case < 24:
                    _bytes.Add((byte)(type | (byte)argument));
                    break;
                case <= byte.MaxValue:
                    _bytes.Add((byte)(type | 24));
                    _bytes.Add((byte)argument);
                    break;
                case <= ushort.MaxValue:
                    _bytes.Add((byte)(type | 25));
                    _bytes.Add((byte)(argument >> 8));
                    _bytes.Add((byte)argument);
                    break;
                default:
                    _bytes.Add((byte)(type | 26));
                    var four = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(four, checked((uint)argument));
                    _bytes.AddRange(four);
                    break;
            }

            return this;
        }
    }
}
