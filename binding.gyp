{
  "targets": [
    {
      "target_name": "descend_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/gemm.cc",
        "native/src/elementwise.cc",
        "native/src/reduce.cc",
        "native/src/layout.cc",
        "native/src/optim.cc",
        "native/src/indexing.cc",
        "native/src/conv.cc",
        "native/src/pool.cc",
        "native/src/softmax.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd", "-ffp-contract=off"],
      "conditions": [
        ["OS=='linux'", {
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
          "libraries": ["-lopenblas"]
        }],
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/opt/openblas/include", "/usr/local/opt/openblas/include"],
          "libraries": ["-L/opt/homebrew/opt/openblas/lib", "-L/usr/local/opt/openblas/lib", "-lopenblas"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-fno-math-errno"],
            "GCC_ENABLE_CPP_EXCEPTIONS": "NO"
          }
        }]
      ]
    }
  ]
}
