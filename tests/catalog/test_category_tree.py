import pytest
from django.core.exceptions import ValidationError

from catalog.models import Category, Product
from catalog.services import category_save
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_top_level_category_path_is_its_own_id():
    root = CategoryFactory()

    assert root.path == f"/{root.pk}/"
    assert root.depth == 0


def test_nested_category_path_lists_its_ancestors_and_depth_counts_them():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    grandchild = CategoryFactory(parent=child)

    grandchild.refresh_from_db()
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/"
    assert grandchild.depth == 2
    assert grandchild.ancestor_ids == [root.pk, child.pk]


def test_moving_a_category_moves_its_whole_branch():
    old_root, new_root = CategoryFactory(), CategoryFactory()
    branch = CategoryFactory(parent=old_root)
    leaf = CategoryFactory(parent=branch)
    deeper = CategoryFactory(parent=leaf)

    branch.parent = new_root
    category_save(category=branch)

    leaf.refresh_from_db()
    deeper.refresh_from_db()
    assert leaf.path == f"/{new_root.pk}/{branch.pk}/{leaf.pk}/"
    assert deeper.path == f"/{new_root.pk}/{branch.pk}/{leaf.pk}/{deeper.pk}/"
    assert deeper.depth == 3


def test_moving_a_branch_up_to_the_top_reduces_the_depth_of_its_descendants():
    root = CategoryFactory()
    branch = CategoryFactory(parent=root)
    leaf = CategoryFactory(parent=branch)

    branch.parent = None
    category_save(category=branch)

    leaf.refresh_from_db()
    assert leaf.path == f"/{branch.pk}/{leaf.pk}/"
    assert leaf.depth == 1


def test_moving_a_category_leaves_categories_with_a_similar_id_prefix_alone():
    # "/1/" must not move "/10/": the trailing slash keeps prefixes apart.
    roots = [CategoryFactory() for _ in range(11)]
    first, eleventh = roots[0], roots[10]
    new_parent = CategoryFactory()

    first.parent = new_parent
    category_save(category=first)

    eleventh.refresh_from_db()
    assert eleventh.path == f"/{eleventh.pk}/"


def test_moving_under_a_parent_loaded_before_the_parent_itself_moved_uses_its_current_path():
    top, parent = CategoryFactory(), CategoryFactory()
    stale_parent = Category.objects.get(pk=parent.pk)
    parent.parent = top
    category_save(category=parent)
    child = CategoryFactory()

    child.parent = stale_parent
    category_save(category=child)

    child.refresh_from_db()
    assert child.path == f"/{top.pk}/{parent.pk}/{child.pk}/"


def test_category_listing_includes_products_of_subcategories(client):
    root = CategoryFactory(slug="home")
    sub = CategoryFactory(parent=root)
    subsub = CategoryFactory(parent=sub)
    ProductFactory(category=subsub, name="Глубоко вложенный товар")
    ProductFactory(category=CategoryFactory(), name="Товар из другой ветки")

    response = client.get("/catalog/home/")

    assert "Глубоко вложенный товар" in response.content.decode()
    assert "Товар из другой ветки" not in response.content.decode()


def test_category_cannot_be_placed_inside_itself():
    category = CategoryFactory()
    category.parent = category

    with pytest.raises(ValidationError) as error:
        category.clean()

    assert "parent" in error.value.message_dict


def test_category_cannot_be_placed_inside_its_own_descendant():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    grandchild = CategoryFactory(parent=child)
    root.parent = grandchild

    with pytest.raises(ValidationError) as error:
        root.clean()

    assert "parent" in error.value.message_dict


def test_category_can_move_to_an_unrelated_branch():
    category = CategoryFactory(parent=CategoryFactory())
    category.parent = CategoryFactory()

    category.clean()  # no error


def test_breadcrumbs_show_the_ancestors_from_the_top_down(client):
    root = CategoryFactory(name="Дом", slug="dom")
    middle = CategoryFactory(name="Кухня", slug="kuhnya", parent=root)
    leaf = CategoryFactory(name="Посуда", slug="posuda", parent=middle)

    html = client.get("/catalog/posuda/").content.decode()

    crumbs = html[html.index('class="breadcrumbs"'):html.index("</nav>", html.index('class="breadcrumbs"'))]
    assert crumbs.index("Дом") < crumbs.index("Кухня")
    assert leaf.get_absolute_url() not in crumbs  # the current page is the heading, not a link


def test_product_breadcrumbs_end_with_the_product_category(client):
    root = CategoryFactory(name="Дом", slug="dom")
    leaf = CategoryFactory(name="Посуда", slug="posuda", parent=root)
    product = ProductFactory(category=leaf)

    html = client.get(product.get_absolute_url()).content.decode()

    crumbs = html[html.index('class="breadcrumbs"'):html.index("</nav>", html.index('class="breadcrumbs"'))]
    assert crumbs.index("/catalog/dom/") < crumbs.index("/catalog/posuda/")


def test_hiding_a_section_hides_its_subcategories_and_their_products(client):
    section = CategoryFactory(slug="shoes")
    sneakers = CategoryFactory(parent=section, slug="sneakers")
    product = ProductFactory(category=sneakers, slug="runner")

    section.is_active = False
    category_save(category=section)

    assert client.get("/catalog/sneakers/").status_code == 404
    assert client.get("/product/runner/").status_code == 410  # no longer sold: gone, not "never existed"
    assert not Category.objects.get(pk=sneakers.pk).is_visible
    assert product not in set(Product.objects.active())


def test_showing_the_section_again_brings_back_only_subcategories_that_are_active_themselves():
    section = CategoryFactory(is_active=False)
    shown = CategoryFactory(parent=section)
    hidden_on_its_own = CategoryFactory(parent=section, is_active=False)

    section.is_active = True
    category_save(category=section)

    assert Category.objects.get(pk=shown.pk).is_visible
    assert not Category.objects.get(pk=hidden_on_its_own.pk).is_visible
