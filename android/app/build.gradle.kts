// The field app's Gradle build: what makes the APK on a machine with the Android SDK (API 35
// platform and build-tools), JDK 17 and Gradle 8.13 or newer; the native libraries come from
// scripts/android-libs (NDK r28 or newer). `pom.xml` beside this file is what builds and tests
// the app on machines without the SDK (scripts/android-test; see ../README.md).

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

// The generated bindings: `bash scripts/bindings` at the repo root writes target/bindings/.
// Override with -Pdoorstep.bindings=/abs/path/to/bindings (or in gradle.properties), the
// same folder that pom.xml's doorstep.bindings property names.
val bindings: File = providers.gradleProperty("doorstep.bindings")
    .map { file(it) }
    .getOrElse(file("../../target/bindings"))

android {
    namespace = "org.doorstep.field"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.doorstep.field"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    sourceSets {
        getByName("main") {
            // The app's Kotlin, and the JVM flavour of the UniFFI-generated Kotlin (package
            // org.doorstep.core): it needs no androidx.annotation and falls back to JNA's own
            // cleaner below API 33. The host library that sits beside it is not packaged.
            java.srcDirs("src/main/kotlin", bindings.resolve("kotlin-jvm"))
            // libdoorstep_ffi.so per ABI, written by scripts/android-libs (`gradle clean`
            // removes it with the rest of build/: run that script again after a clean).
            jniLibs.srcDirs("build/rustJniLibs")
        }
        getByName("test") {
            // The Robolectric suite is run by Maven here (pom.xml, scripts/android-test), with
            // the real core loaded through JNA from the host library. Its dependencies are not
            // declared in this file: Robolectric brings androidx.test, which
            // android.useAndroidX=false rejects. To run it under Gradle, add
            // testImplementation("junit:junit:4.13.2"),
            // testImplementation("org.robolectric:robolectric:4.17") and the JNA jar
            // testImplementation("net.java.dev.jna:jna:5.19.1"), set android.useAndroidX=true,
            // and pass the host library and the server binary to the test JVM:
            //   testOptions.unitTests.all {
            //       it.systemProperty("jna.library.path", bindings.resolve("kotlin-jvm").path)
            //       it.systemProperty("doorstep.bin", file("../../target/release/doorstep").path)
            //   }
            // (the same as -Djna.library.path=... on a plain JVM), with
            // testOptions.unitTests.isIncludeAndroidResources = true.
            java.srcDirs("src/test/kotlin")
        }
    }

    buildTypes {
        getByName("release") {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(
                getDefaultProguardFile("proguard-android-optimize.txt"),
                "proguard-rules.pro",
            )
            // Unsigned here: the APK is signed with the county's release key (README).
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        jniLibs {
            // Native libraries stored uncompressed and 16 KB aligned in the APK, loaded in
            // place (the page size of Android 15+ devices with 16 KB pages).
            useLegacyPackaging = false
        }
    }

    lint {
        abortOnError = true
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // JNA's AAR: the classes plus libjnidispatch.so for the Android ABIs, built with 16 KB
    // page alignment since JNA 5.17. No AndroidX, no Google Play services.
    implementation("net.java.dev.jna:jna:5.19.1@aar")
}
