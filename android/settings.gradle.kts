// The Android build of the Doorstep field app, for a machine with the Android SDK (see
// README.md: "Building the APK elsewhere"). Here, app/pom.xml builds and tests the app instead.

pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    // Every repository is declared here; a module that declares its own fails the build.
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "doorstep-android"
include(":app")
