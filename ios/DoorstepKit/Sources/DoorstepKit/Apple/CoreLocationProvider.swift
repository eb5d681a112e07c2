// Location from CoreLocation: every fix the receiver reports, raw, for WindowedLocation to
// choose from (the best of 30 s, a simulated one passed on). CoreLocation's coordinates are
// WGS-84 (only MapKit's display is shifted in China), so fixes go to the core as WGS-84.
// `sourceInformation.isSimulatedBySoftware` marks a simulated fix; the core flags it.
// Compiled only on Apple platforms (never on the Linux machines this project is tested on).
#if canImport(CoreLocation)
import CoreLocation
import Foundation

public final class CoreLocationProvider: NSObject, CLLocationManagerDelegate, @unchecked Sendable {
    // Touched on the main queue only: CLLocationManager wants the thread it was made on.
    private let manager = CLLocationManager()
    private var out: AsyncStream<LocationEvent>.Continuation?

    /// The provider a visit uses: CoreLocation's reports through a fix window.
    public static func windowed(seconds: Double = FixWindow.seconds) -> WindowedLocation {
        let raw = CoreLocationProvider()
        return WindowedLocation(seconds: seconds) { raw.reports() }
    }

    func reports() -> AsyncStream<LocationEvent> {
        AsyncStream { c in
            DispatchQueue.main.async { self.start(c) }
            c.onTermination = { _ in DispatchQueue.main.async { self.stop() } }
        }
    }

    private func start(_ c: AsyncStream<LocationEvent>.Continuation) {
        out?.finish()
        out = c
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
        manager.activityType = .other
        switch manager.authorizationStatus {
        case .notDetermined:
            manager.requestWhenInUseAuthorization() // the answer comes to the delegate
        case .denied, .restricted:
            end(with: CLLocationManager.locationServicesEnabled() ? .denied : .servicesOff)
        default:
            manager.startUpdatingLocation()
        }
    }

    private func stop() {
        manager.stopUpdatingLocation()
        out = nil
    }

    private func end(with e: LocationEvent) {
        out?.yield(e)
        out?.finish()
        stop()
    }

    public func locationManagerDidChangeAuthorization(_ m: CLLocationManager) {
        guard out != nil else { return }
        switch m.authorizationStatus {
        case .authorizedWhenInUse, .authorizedAlways: m.startUpdatingLocation()
        case .denied, .restricted: end(with: .denied)
        default: break
        }
    }

    public func locationManager(_ m: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        for l in locations where l.horizontalAccuracy >= 0 { out?.yield(.fix(Self.fix(l))) }
    }

    public func locationManager(_ m: CLLocationManager, didFailWithError error: Error) {
        // kCLErrorLocationUnknown is temporary: the receiver keeps trying.
        if (error as? CLError)?.code == .denied { end(with: .denied) }
    }

    static func fix(_ l: CLLocation) -> GpsFix {
        GpsFix(
            lat: l.coordinate.latitude, lon: l.coordinate.longitude, accuracyM: l.horizontalAccuracy,
            atUnixMs: Int64(l.timestamp.timeIntervalSince1970 * 1000), provider: "gps",
            mock: l.sourceInformation?.isSimulatedBySoftware ?? false, datum: .wgs84)
    }
}
#endif
