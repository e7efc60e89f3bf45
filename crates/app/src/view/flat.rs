//! Two plain materials for the organisation: ties (vertex colours) and
//! discs (vertex colours times an image: a disc for nodes, a ring for
//! travelling items).
//!
//! bevy's own 2D materials (`ColorMaterial`, sprites) grade every fragment
//! for a camera's tonemapping, even `Tonemapping::None`: three `pow`s that
//! multiply by one, and a dither. On a graphics card that is free; on
//! software rendering (Mesa's llvmpipe, a laptop without a working driver,
//! a VM) each tie and node pixel runs them on the CPU. These materials
//! write the vertex colour as it is, which is what the graded colour comes
//! to for the app's cameras (no HDR, no exposure, no colour grading), less
//! the dither's level of 255 here and there.

use bevy::prelude::*;
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::{Shader, ShaderRef};
use bevy::sprite_render::{AlphaMode2d, Material2d, Material2dPlugin};

/// The ties' shader: position and colour in, colour out.
const FLAT_SHADER: Handle<Shader> =
    bevy::asset::uuid_handle!("3f0c5a52-8d0e-4d7e-9a51-64b1f1c0a7e1");
/// The discs' shader: the same, times the material's image.
const DISC_SHADER: Handle<Shader> =
    bevy::asset::uuid_handle!("9b2e7d14-2f6a-4c38-8e0b-5d7a3c9e4f21");

/// The mesh's position and colour, placed as bevy's 2D meshes place them;
/// `uv` only where the mesh has texture coordinates.
const VERTEX: &str = r"
#import bevy_sprite::mesh2d_functions as mesh_functions

struct Vertex {
    @builtin(instance_index) instance_index: u32,
    @location(0) position: vec3<f32>,
#ifdef VERTEX_UVS
    @location(2) uv: vec2<f32>,
#endif
    @location(4) color: vec4<f32>,
};

struct Out {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
#ifdef VERTEX_UVS
    @location(1) uv: vec2<f32>,
#endif
};

@vertex
fn vertex(v: Vertex) -> Out {
    var out: Out;
    let world_from_local = mesh_functions::get_world_from_local(v.instance_index);
    out.position = mesh_functions::mesh2d_position_local_to_clip(
        world_from_local,
        vec4<f32>(v.position, 1.0),
    );
    out.color = v.color;
#ifdef VERTEX_UVS
    out.uv = v.uv;
#endif
    return out;
}
";

const FLAT_FRAGMENT: &str = r"
@fragment
fn fragment(in: Out) -> @location(0) vec4<f32> {
    return in.color;
}
";

const DISC_FRAGMENT: &str = r"
@group(#{MATERIAL_BIND_GROUP}) @binding(0) var disc: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var disc_sampler: sampler;

@fragment
fn fragment(in: Out) -> @location(0) vec4<f32> {
    return in.color * textureSample(disc, disc_sampler, in.uv);
}
";

/// The ties' shader source.
fn flat_source() -> String {
    format!("{VERTEX}{FLAT_FRAGMENT}")
}

/// The discs' shader source.
fn disc_source() -> String {
    format!("{VERTEX}{DISC_FRAGMENT}")
}

/// The materials the organisation is drawn with, made once: ties, and
/// nodes (the disc image).
#[derive(Clone, Debug, Default)]
pub(super) struct Materials {
    pub ties: Handle<TieMaterial>,
    pub nodes: Handle<DiscMaterial>,
}

/// Registers both materials and their shaders.
pub(super) struct FlatPlugin;

impl Plugin for FlatPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins((
            Material2dPlugin::<TieMaterial>::default(),
            Material2dPlugin::<DiscMaterial>::default(),
        ));
        let mut shaders = app.world_mut().resource_mut::<Assets<Shader>>();
        // Fixed ids, so inserting cannot fail.
        let _ = shaders.insert(
            FLAT_SHADER.id(),
            Shader::from_wgsl(flat_source(), "siloscope/flat.wgsl"),
        );
        let _ = shaders.insert(
            DISC_SHADER.id(),
            Shader::from_wgsl(disc_source(), "siloscope/disc.wgsl"),
        );
    }
}

/// Ties: each vertex's colour, blended over what is behind.
#[derive(Asset, TypePath, AsBindGroup, Clone, Debug, Default)]
pub(super) struct TieMaterial {}

impl Material2d for TieMaterial {
    fn vertex_shader() -> ShaderRef {
        FLAT_SHADER.into()
    }

    fn fragment_shader() -> ShaderRef {
        FLAT_SHADER.into()
    }

    fn alpha_mode(&self) -> AlphaMode2d {
        AlphaMode2d::Blend
    }
}

/// Discs: each vertex's colour times the image (white: a disc with a
/// shaded rim for nodes, a ring for items), blended over what is behind.
#[derive(Asset, TypePath, AsBindGroup, Clone, Debug)]
pub(super) struct DiscMaterial {
    #[texture(0)]
    #[sampler(1)]
    pub image: Handle<Image>,
}

impl Material2d for DiscMaterial {
    fn vertex_shader() -> ShaderRef {
        DISC_SHADER.into()
    }

    fn fragment_shader() -> ShaderRef {
        DISC_SHADER.into()
    }

    fn alpha_mode(&self) -> AlphaMode2d {
        AlphaMode2d::Blend
    }
}

/// One disc: its centre and diameter in world units, and its colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Disc {
    pub centre: Vec2,
    pub size: f32,
    pub color: Color,
}

/// Discs as one mesh for [`DiscMaterial`]: a square of its image per
/// disc, later discs drawn over earlier ones. Colours go to the vertices
/// in linear RGBA, as bevy's sprites hand them to their shader.
pub(super) fn disc_mesh(discs: &[Disc]) -> Mesh {
    let n = discs.len();
    let mut positions = Vec::with_capacity(4 * n);
    let mut uvs = Vec::with_capacity(4 * n);
    let mut colors = Vec::with_capacity(4 * n);
    let mut indices = Vec::with_capacity(6 * n);
    for (i, d) in discs.iter().enumerate() {
        let r = d.size / 2.0;
        let color = d.color.to_linear().to_f32_array();
        for (corner, uv) in [
            (Vec2::new(-r, -r), [0.0, 1.0]),
            (Vec2::new(r, -r), [1.0, 1.0]),
            (Vec2::new(r, r), [1.0, 0.0]),
            (Vec2::new(-r, r), [0.0, 0.0]),
        ] {
            let p = d.centre + corner;
            positions.push([p.x, p.y, 0.0]);
            uvs.push(uv);
            colors.push(color);
        }
        let k = 4 * i as u32;
        indices.extend_from_slice(&[k, k + 1, k + 2, k, k + 2, k + 3]);
    }
    Mesh::new(
        bevy::mesh::PrimitiveTopology::TriangleList,
        bevy::asset::RenderAssetUsages::RENDER_WORLD,
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, uvs)
    .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, colors)
    .with_inserted_indices(bevy::mesh::Indices::U32(indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each disc is a square around its centre, the whole image mapped on
    /// it, in its colour (linear), and drawn in the order given.
    #[test]
    fn a_disc_is_a_square_of_the_image_in_its_colour() {
        let red = Color::srgba(1.0, 0.0, 0.0, 0.5);
        let discs = [
            Disc {
                centre: Vec2::new(10.0, 20.0),
                size: 4.0,
                color: red,
            },
            Disc {
                centre: Vec2::ZERO,
                size: 2.0,
                color: Color::WHITE,
            },
        ];
        let mesh = disc_mesh(&discs);
        let Some(bevy::mesh::VertexAttributeValues::Float32x3(p)) =
            mesh.attribute(Mesh::ATTRIBUTE_POSITION)
        else {
            panic!("positions");
        };
        assert_eq!(
            &p[..4],
            &[
                [8.0, 18.0, 0.0],
                [12.0, 18.0, 0.0],
                [12.0, 22.0, 0.0],
                [8.0, 22.0, 0.0]
            ]
        );
        assert_eq!(p[4], [-1.0, -1.0, 0.0]);
        let Some(bevy::mesh::VertexAttributeValues::Float32x2(uv)) =
            mesh.attribute(Mesh::ATTRIBUTE_UV_0)
        else {
            panic!("uvs");
        };
        assert_eq!(&uv[..4], &[[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]);
        let Some(bevy::mesh::VertexAttributeValues::Float32x4(c)) =
            mesh.attribute(Mesh::ATTRIBUTE_COLOR)
        else {
            panic!("colours");
        };
        assert_eq!(c[0], red.to_linear().to_f32_array());
        assert_eq!(c[4], [1.0; 4]);
        let Some(bevy::mesh::Indices::U32(i)) = mesh.indices() else {
            panic!("indices");
        };
        assert_eq!(i, &[0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7]);
    }
}
