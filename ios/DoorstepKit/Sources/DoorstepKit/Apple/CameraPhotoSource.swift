// The camera on an iPhone: UIImagePickerController presented over the app, one photo's JPEG
// back (the core re-encodes it, strips its metadata and seals it). No camera, or camera
// access refused, is said as such; a cancel is no photo.
// Compiled only on Apple platforms (never on the Linux machines this project is tested on).
#if canImport(UIKit) && canImport(AVFoundation)
import AVFoundation
import UIKit

public struct CameraPhotoSource: PhotoSource {
    public init() {}

    public func takePhoto() async throws -> Data? { try await present() }

    @MainActor
    private func present() async throws -> Data? {
        guard UIImagePickerController.isSourceTypeAvailable(.camera) else { throw PhotoSourceError.noCamera }
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .denied, .restricted: throw PhotoSourceError.denied
        case .notDetermined:
            guard await AVCaptureDevice.requestAccess(for: .video) else { throw PhotoSourceError.denied }
        default: break
        }
        guard let top = UIApplication.shared.connectedScenes.compactMap({ ($0 as? UIWindowScene)?.keyWindow }).first?
            .rootViewController?.topmost else { throw PhotoSourceError.noCamera }
        return await withCheckedContinuation { c in
            let picker = UIImagePickerController()
            picker.sourceType = .camera
            let delegate = PickerDelegate { data in c.resume(returning: data) }
            picker.delegate = delegate
            objc_setAssociatedObject(picker, &PickerDelegate.key, delegate, .OBJC_ASSOCIATION_RETAIN)
            top.present(picker, animated: true)
        }
    }
}

private final class PickerDelegate: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
    nonisolated(unsafe) static var key = 0
    private var done: ((Data?) -> Void)?
    init(_ done: @escaping (Data?) -> Void) { self.done = done }

    func imagePickerController(_ picker: UIImagePickerController, didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
        let image = info[.originalImage] as? UIImage
        picker.dismiss(animated: true)
        finish(image?.jpegData(compressionQuality: 0.95))
    }

    func imagePickerControllerDidCancel(_ picker: UIImagePickerController) {
        picker.dismiss(animated: true)
        finish(nil)
    }

    private func finish(_ data: Data?) {
        done?(data)
        done = nil
    }
}

private extension UIViewController {
    var topmost: UIViewController { presentedViewController?.topmost ?? self }
}
#endif
