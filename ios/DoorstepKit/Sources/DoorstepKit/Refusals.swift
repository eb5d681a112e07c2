// A refusal as the worker reads it. The core words its own refusals (in the store's
// language); a platform error carries the adapter's reason. Nothing here decides anything:
// it only picks the words out of the error.

import Foundation

extension DoorstepError {
    /// The stable code of the refusal, whichever kind it is.
    public var code: ErrorCode {
        switch self {
        case let .Store(code, _), let .Visit(code, _): return code
        case let .Sync(code, _, _, _): return code
        }
    }

    /// The refusal in the core's words, as a screen shows it.
    public var detail: String {
        switch self {
        case let .Store(_, detail), let .Visit(_, detail): return detail
        case let .Sync(_, detail, _, _): return detail
        }
    }
}

/// The words for any error reaching a screen.
public func words(_ error: Error) -> String {
    switch error {
    case let e as DoorstepError: return e.detail
    case let PlatformError.Failed(reason): return reason
    default: return (error as NSError).localizedDescription
    }
}
