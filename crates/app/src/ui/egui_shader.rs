//! egui's shader with cheaper colour conversions.
//!
//! bevy_egui's fragment shader turns every pixel it draws from linear to
//! sRGB and back (egui multiplies colours in gamma space), with six `pow`
//! calls. On a graphics card that is free; on software rendering (Mesa's
//! llvmpipe, a laptop without a working driver, a VM) every pixel of every
//! panel and chart runs them on the CPU, about a tenth of a frame. This is
//! the same shader with the two conversions as polynomials: exact at 0 and
//! 1, and after a whole egui pixel (texture × colour, written to an sRGB
//! target) within one level of 255 of bevy_egui's, which the tests check
//! for every texture and colour level. Rust mirrors of the formulas, with
//! the very coefficients the shader is written from, are what the tests
//! check.
//!
//! The shader replaces bevy_egui's by its handle. bevy_egui is pinned
//! (`=0.42.0` in the workspace): on an upgrade, compare its
//! `src/render/egui.wgsl` with [`source`] (bindings, vertex layout).

use bevy::prelude::*;
use bevy::shader::Shader;

/// Replaces bevy_egui's shader; add after `EguiPlugin`.
pub struct EguiShaderPlugin;

impl Plugin for EguiShaderPlugin {
    fn build(&self, app: &mut App) {
        let mut shaders = app.world_mut().resource_mut::<Assets<Shader>>();
        // The handle is a fixed id, so inserting cannot fail.
        let _ = shaders.insert(
            bevy_egui::render::EGUI_SHADER_HANDLE.id(),
            Shader::from_wgsl(source(), "siloscope/egui.wgsl"),
        );
    }
}

/// sRGB → linear on [0.04045, 1]: `((s + 0.055) / 1.055)^2.4` as a degree-5
/// polynomial in `s` (Horner, highest power first), fitted for relative
/// error (at most 0.14 %). Below 0.04045 the curve is `s / 12.92`.
const TO_LINEAR: [f32; 6] = [
    0.104_208_9,
    -0.340_822_46,
    0.689_104_4,
    0.513_832_15,
    0.033_238_83,
    0.000_905_194_1,
];

/// linear → sRGB on [0.0031308, 1]: `1.055 l^(1/2.4) − 0.055` as a degree-4
/// polynomial in `l^(1/4)` (two square roots), at most 0.02 of a level of
/// 255 off. Below 0.0031308 the curve is `12.92 l`.
const TO_GAMMA: [f32; 5] = [
    0.082_102_84,
    -0.336_071_8,
    1.121_908,
    0.196_910_86,
    -0.064_773_28,
];

fn horner(c: &[f32], x: f32) -> f32 {
    c.iter().fold(0.0, |acc, &k| acc * x + k)
}

/// The shader's sRGB → linear, for one channel.
pub fn linear_from_gamma(s: f32) -> f32 {
    let v = if s < 0.04045 {
        s / 12.92
    } else {
        horner(&TO_LINEAR, s)
    };
    v.clamp(0.0, 1.0)
}

/// The shader's linear → sRGB, for one channel.
pub fn gamma_from_linear(l: f32) -> f32 {
    let l = l.max(0.0);
    let v = if l < 0.0031308 {
        l * 12.92
    } else {
        horner(&TO_GAMMA, l.sqrt().sqrt())
    };
    v.clamp(0.0, 1.0)
}

/// A WGSL Horner expression of `c` in the variable `x` (a `vec3<f32>`).
fn wgsl_horner(c: &[f32], x: &str) -> String {
    let mut e = format!("{:?}", c[0]);
    for k in &c[1..] {
        e = format!("({e} * {x} + vec3<f32>({k:?}))");
    }
    e
}

/// The shader's text: bevy_egui 0.42's `egui.wgsl` (MIT or Apache-2.0)
/// with the conversions above.
pub fn source() -> String {
    format!(
        "{HEAD}
// 0-1 linear from 0-1 sRGB gamma (a polynomial, see siloscope's ui/egui_shader.rs).
fn linear_from_gamma_rgb(srgb: vec3<f32>) -> vec3<f32> {{
    let curve = {to_linear};
    let v = select(curve, srgb / vec3<f32>(12.92), srgb < vec3<f32>(0.04045));
    return clamp(v, vec3<f32>(0.0), vec3<f32>(1.0));
}}

// 0-1 sRGB gamma from 0-1 linear.
fn gamma_from_linear_rgb(rgb: vec3<f32>) -> vec3<f32> {{
    let l = max(rgb, vec3<f32>(0.0));
    let q = sqrt(sqrt(l));
    let curve = {to_gamma};
    let v = select(curve, l * vec3<f32>(12.92), l < vec3<f32>(0.0031308));
    return clamp(v, vec3<f32>(0.0), vec3<f32>(1.0));
}}
{TAIL}",
        to_linear = wgsl_horner(&TO_LINEAR, "srgb"),
        to_gamma = wgsl_horner(&TO_GAMMA, "q"),
    )
}

const HEAD: &str = r"struct Transform {
    scale: vec2<f32>,
    translation: vec2<f32>,
}

struct VertexInput {
    @location(0) position: vec2<f32>,
    @location(1) uv: vec2<f32>,
    @location(2) color: vec4<f32>,
}

struct VertexOutput {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
    @location(1) uv: vec2<f32>,
}

@group(0) @binding(0) var<uniform> transform: Transform;

#ifdef BINDLESS
@group(1) @binding(0) var image_texture: binding_array<texture_2d<f32>>;
@group(1) @binding(1) var image_sampler: binding_array<sampler>;

struct BindlessOffset {
    offset: u32,
};
var<immediate> offset: BindlessOffset;

#else //BINDLESS
@group(1) @binding(0) var image_texture: texture_2d<f32>;
@group(1) @binding(1) var image_sampler: sampler;
#endif // BINDLESS
";

const TAIL: &str = r"
fn gamma_from_linear_rgba(linear_rgba: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(gamma_from_linear_rgb(linear_rgba.rgb), linear_rgba.a);
}

@vertex
fn vs_main(in: VertexInput) -> VertexOutput {
    let position = in.position * transform.scale + transform.translation;
    return VertexOutput(vec4<f32>(position, 0.0, 1.0), in.color, in.uv);
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
    #ifdef BINDLESS
    let image_texture = image_texture[offset.offset];
    let image_sampler = image_sampler[offset.offset];
    #endif

    // egui multiplies colours in gamma space (text looks right only so).
    let texture_color_linear = textureSample(image_texture, image_sampler, in.uv);
    let texture_color_gamma = gamma_from_linear_rgba(texture_color_linear);
    let color_gamma = texture_color_gamma * in.color;

    return vec4<f32>(linear_from_gamma_rgb(color_gamma.rgb), color_gamma.a);
}
";

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact sRGB curves, in f64.
    fn exact_linear(s: f64) -> f64 {
        if s < 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    }

    fn exact_gamma(l: f64) -> f64 {
        let l = l.max(0.0);
        if l < 0.0031308 {
            l * 12.92
        } else {
            1.055 * l.powf(1.0 / 2.4) - 0.055
        }
    }

    /// A pixel as the target stores it: the linear value encoded to sRGB
    /// and rounded to 8 bits.
    fn stored(linear: f64) -> i64 {
        (255.0 * exact_gamma(linear)).round() as i64
    }

    #[test]
    fn the_curves_are_exact_at_black_and_white() {
        assert_eq!(linear_from_gamma(0.0), 0.0);
        assert_eq!(gamma_from_linear(0.0), 0.0);
        assert!((linear_from_gamma(1.0) - 1.0).abs() < 1e-3);
        assert!((gamma_from_linear(1.0) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn each_curve_is_within_a_fraction_of_a_level() {
        for i in 0..=4096 {
            let x = f64::from(i) / 4096.0;
            let lin = f64::from(linear_from_gamma(x as f32));
            // Compared where the eye sees it: both encoded back to sRGB.
            let err = 255.0 * (exact_gamma(lin) - x).abs();
            assert!(err < 0.2, "to linear at {x}: {err} of a level off");
            let gam = f64::from(gamma_from_linear(x as f32));
            let err = 255.0 * (gam - exact_gamma(x)).abs();
            assert!(err < 0.05, "to gamma at {x}: {err} of a level off");
        }
    }

    /// Every texture level times every colour level, as the fragment
    /// shader computes it and the target stores it, against bevy_egui's
    /// exact shader: at most one level apart, and rarely that.
    #[test]
    fn a_whole_egui_pixel_is_within_one_level_of_bevy_eguis() {
        let mut off = 0;
        for t in 0..=255 {
            let texel = exact_linear(f64::from(t) / 255.0);
            for c in 0..=255 {
                let colour = f64::from(c) / 255.0;
                let exact = stored(exact_linear(exact_gamma(texel) * colour));
                let ours = f64::from(linear_from_gamma(
                    gamma_from_linear(texel as f32) * colour as f32,
                ));
                let d = (stored(ours) - exact).abs();
                assert!(d <= 1, "texture {t}, colour {c}: {d} levels off");
                off += usize::from(d > 0);
            }
        }
        assert!(off < 65536 / 100, "{off} of 65536 pixels differ by a level");
    }

    /// The text parses as WGSL in both of bevy_egui's variants, with the
    /// entry points its pipeline names.
    #[test]
    fn the_shader_parses_with_and_without_bindless() {
        let text = source();
        for bindless in [false, true] {
            // Resolve the one `#ifdef` as bevy's preprocessor would.
            let mut out = String::new();
            let mut keep = true;
            for line in text.lines() {
                match line.trim() {
                    l if l.starts_with("#ifdef BINDLESS") => keep = bindless,
                    l if l.starts_with("#else") => keep = !bindless,
                    l if l.starts_with("#endif") => keep = true,
                    _ if keep => {
                        out.push_str(line);
                        out.push('\n');
                    }
                    _ => {}
                }
            }
            let module = naga::front::wgsl::parse_str(&out)
                .unwrap_or_else(|e| panic!("bindless {bindless}: {}", e.emit_to_string(&out)));
            let names: Vec<_> = module
                .entry_points
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            assert_eq!(names, ["vs_main", "fs_main"], "bindless {bindless}");
        }
    }
}
