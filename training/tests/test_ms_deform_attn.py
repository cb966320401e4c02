import torch

from training.models.ms_deform_attn import MSDeformAttn, ms_deform_attn_core, ms_deform_attn_naive


def _inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    shapes = [(6, 8), (3, 4), (2, 2), (1, 1)]
    s = sum(h * w for h, w in shapes)
    value = torch.randn(2, s, 2, 4, generator=g, dtype=torch.float64)
    # some points fall outside [0, 1] to exercise zero padding
    loc = torch.rand(2, 5, 2, 4, 3, 2, generator=g, dtype=torch.float64) * 1.4 - 0.2
    w = torch.rand(2, 5, 2, 4, 3, generator=g, dtype=torch.float64)
    return value, shapes, loc, w / w.sum((-1, -2), keepdim=True)


def test_grid_sample_core_matches_naive_per_point_reference():
    value, shapes, loc, w = _inputs()
    assert torch.allclose(ms_deform_attn_core(value, shapes, loc, w), ms_deform_attn_naive(value, shapes, loc, w),
                          atol=1e-10)


def test_gradients_match_naive_reference():
    value, shapes, loc, w = _inputs(1)
    for fn in (ms_deform_attn_core, ms_deform_attn_naive):
        v = value.clone().requires_grad_(True)
        fn(v, shapes, loc, w).sum().backward()
        if fn is ms_deform_attn_core:
            g_core = v.grad
        else:
            g_naive = v.grad
    assert torch.allclose(g_core, g_naive, atol=1e-10)


def test_module_shapes_for_2d_and_box_reference_points():
    attn = MSDeformAttn(d_model=32, n_levels=4, n_heads=4, n_points=2)
    shapes = [(8, 8), (4, 4), (2, 2), (1, 1)]
    value = torch.randn(2, sum(h * w for h, w in shapes), 32)
    q = torch.randn(2, 7, 32)
    assert attn(q, torch.rand(2, 7, 4, 2), value, shapes).shape == (2, 7, 32)
    assert attn(q, torch.rand(2, 7, 4, 4), value, shapes).shape == (2, 7, 32)
