// The key vault on an iPhone: the store's data key is wrapped (AES-256-GCM, the core's aad
// bound) under a key that never leaves the device. With a Secure Enclave the wrapping key is
// derived per wrap from an enclave P-256 key (ECDH with a fresh ephemeral key, HKDF-SHA256);
// the enclave key's handle sits in the Keychain as AfterFirstUnlockThisDeviceOnly, so it is in
// no backup and no other phone can use it. Without an enclave (the simulator) a random AES key
// is kept in the Keychain under the same protection. A lost key is a refusal the app shows
// plainly (the old store is set aside, never deleted).
// Compiled only on Apple platforms (never on the Linux machines this project is tested on).
#if canImport(CryptoKit) && canImport(Security)
import CryptoKit
import Foundation
import Security

public final class KeychainVault: KeyVault, @unchecked Sendable {
    private let service: String
    private static let info = Data("doorstep store key wrap v1".utf8)

    public init(service: String) { self.service = service }

    public func wrap(aad: Data, secret: Data) throws -> Data {
        if SecureEnclave.isAvailable {
            let enclave = try enclaveKey(create: true)!
            let ephemeral = P256.KeyAgreement.PrivateKey()
            let key = try Self.derive(ephemeral.sharedSecretFromKeyAgreement(with: enclave.publicKey), aad: aad)
            let box = try AES.GCM.seal(secret, using: key, authenticating: aad)
            return Data([1]) + ephemeral.publicKey.x963Representation + box.combined!
        }
        let key = try plainKey(create: true)!
        return Data([2]) + (try AES.GCM.seal(secret, using: key, authenticating: aad).combined!)
    }

    public func unwrap(aad: Data, wrapped: Data) throws -> Data {
        guard let kind = wrapped.first else { throw Self.lost }
        let rest = wrapped.dropFirst()
        switch kind {
        case 1:
            guard let enclave = try enclaveKey(create: false), rest.count > 65 else { throw Self.lost }
            let peer = try P256.KeyAgreement.PublicKey(x963Representation: rest.prefix(65))
            let key = try Self.derive(enclave.sharedSecretFromKeyAgreement(with: peer), aad: aad)
            return try AES.GCM.open(AES.GCM.SealedBox(combined: rest.dropFirst(65)), using: key, authenticating: aad)
        case 2:
            guard let key = try plainKey(create: false) else { throw Self.lost }
            return try AES.GCM.open(AES.GCM.SealedBox(combined: rest), using: key, authenticating: aad)
        default:
            throw Self.lost
        }
    }

    private static let lost = PlatformError.Failed(reason: "the keychain does not hold this store's key")

    private static func derive(_ shared: SharedSecret, aad: Data) -> SymmetricKey {
        shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: aad, sharedInfo: info, outputByteCount: 32)
    }

    private func enclaveKey(create: Bool) throws -> SecureEnclave.P256.KeyAgreement.PrivateKey? {
        if let blob = try item("enclave-key") {
            return try SecureEnclave.P256.KeyAgreement.PrivateKey(dataRepresentation: blob)
        }
        guard create else { return nil }
        let key = try SecureEnclave.P256.KeyAgreement.PrivateKey()
        try store("enclave-key", key.dataRepresentation)
        return key
    }

    private func plainKey(create: Bool) throws -> SymmetricKey? {
        if let raw = try item("aes-key") { return SymmetricKey(data: raw) }
        guard create else { return nil }
        let key = SymmetricKey(size: .bits256)
        try store("aes-key", key.withUnsafeBytes { Data($0) })
        return key
    }

    private func item(_ account: String) throws -> Data? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service,
            kSecAttrAccount as String: account, kSecReturnData as String: true,
        ]
        var out: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &out)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess else { throw PlatformError.Failed(reason: "keychain error \(status)") }
        return out as? Data
    }

    private func store(_ account: String, _ data: Data) throws {
        let item: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service,
            kSecAttrAccount as String: account, kSecValueData as String: data,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        let status = SecItemAdd(item as CFDictionary, nil)
        guard status == errSecSuccess else { throw PlatformError.Failed(reason: "keychain error \(status)") }
    }
}
#endif
