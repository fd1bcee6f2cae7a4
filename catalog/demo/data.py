"""What the demo shop sells: the category tree, brands, attributes and how a product of each
leaf category is named, priced and described. Plain data; catalog.demo turns it into rows."""

from dataclasses import dataclass, field

CHOICE, NUMBER, BOOLEAN = "choice", "number", "boolean"  # catalog.models.Attribute.Kind values


@dataclass(frozen=True)
class AttributeSpec:
    slug: str
    name: str
    kind: str
    unit: str = ""
    options: tuple[str, ...] = ()
    # How a choice reads inside a product name: "Сухие" -> "для сухих волос".
    phrases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Goods:
    """How the products of one leaf category look."""

    nouns: tuple[str, ...]
    price: tuple[int, int]
    facts: tuple[str, ...]
    share: int = 10
    template: str = "{noun} {brand} {qualifier} {phrase}"
    qualifiers: tuple[str, ...] = ("",)
    models: tuple[str, ...] = ("",)
    phrase_attribute: str = ""
    phrases: dict[str, str] = field(default_factory=dict)
    number_in_name: str = ""
    numbers: dict[str, tuple] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    consumption_days: tuple[int, ...] = ()
    sizes: str = ""  # an attribute slug whose options become the product's variants


@dataclass(frozen=True)
class CategorySpec:
    name: str
    slug: str
    children: tuple["CategorySpec", ...] = ()
    attributes: tuple[str, ...] = ()
    featured: bool = False
    brands: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    goods: Goods | None = None


HAIR_PHRASES = {
    "Все типы": "для всех типов волос", "Нормальные": "для нормальных волос", "Сухие": "для сухих волос",
    "Жирные": "для жирных волос", "Окрашенные": "для окрашенных волос", "Повреждённые": "для повреждённых волос",
}
SKIN_PHRASES = {
    "Все типы": "для всех типов кожи", "Нормальная": "для нормальной кожи", "Сухая": "для сухой кожи",
    "Жирная": "для жирной кожи", "Комбинированная": "для комбинированной кожи",
    "Чувствительная": "для чувствительной кожи",
}
PET_AGE_PHRASES = {"Молодые": "для молодых", "Взрослые": "для взрослых", "Пожилые (7+)": "для пожилых"}

ATTRIBUTES = (
    AttributeSpec("hair-type", "Тип волос", CHOICE, options=tuple(HAIR_PHRASES), phrases=HAIR_PHRASES),
    AttributeSpec("skin-type", "Тип кожи", CHOICE, options=tuple(SKIN_PHRASES), phrases=SKIN_PHRASES),
    AttributeSpec("volume", "Объём", NUMBER, unit="мл"),
    AttributeSpec("weight", "Вес", NUMBER, unit="кг"),
    AttributeSpec("diameter", "Диаметр", NUMBER, unit="см"),
    AttributeSpec("paraben-free", "Без парабенов", BOOLEAN),
    AttributeSpec("sulfate-free", "Без сульфатов", BOOLEAN),
    AttributeSpec("hypoallergenic", "Гипоаллергенно", BOOLEAN),
    AttributeSpec("induction", "Для индукционных плит", BOOLEAN),
    AttributeSpec("grain-free", "Беззерновой", BOOLEAN),
    AttributeSpec("colour", "Цвет", CHOICE, options=(
        "Белый", "Чёрный", "Серый", "Бежевый", "Синий", "Зелёный", "Красный", "Розовый")),
    AttributeSpec("gender", "Пол", CHOICE, options=("Женский", "Мужской", "Унисекс")),
    AttributeSpec("upper", "Материал верха", CHOICE, options=(
        "Текстиль", "Натуральная кожа", "Искусственная кожа", "Замша", "Сетка")),
    AttributeSpec("season", "Сезон", CHOICE, options=("Лето", "Демисезон", "Зима", "Всесезон")),
    AttributeSpec("fabric", "Материал", CHOICE, options=(
        "Хлопок", "Хлопок с эластаном", "Футер", "Лён", "Сатин", "Махра", "Бамбук")),
    AttributeSpec("scent", "Аромат", CHOICE, options=(
        "Без запаха", "Лаванда", "Лимон", "Морская свежесть", "Хвоя", "Алоэ")),
    AttributeSpec("coating", "Покрытие", CHOICE, options=(
        "Антипригарное", "Керамическое", "Чугун", "Нержавеющая сталь")),
    AttributeSpec("towel-size", "Размер полотенца", CHOICE, options=("30×50", "50×90", "70×140", "100×150")),
    AttributeSpec("bedding-size", "Размер комплекта", CHOICE, options=(
        "1,5-спальный", "2-спальный", "Евро", "Семейный")),
    AttributeSpec("pet-age", "Возраст питомца", CHOICE, options=tuple(PET_AGE_PHRASES), phrases=PET_AGE_PHRASES),
    # Sizes are what variants are made of, not storefront filters.
    AttributeSpec("shoe-size", "Размер обуви", CHOICE, options=tuple(str(size) for size in range(35, 47))),
    AttributeSpec("clothes-size", "Размер одежды", CHOICE, options=("XS", "S", "M", "L", "XL", "XXL")),
)

SHOE_GENDER = {"Женский": "женские", "Мужской": "мужские", "Унисекс": ""}
WEAR_GENDER_F = {"Женский": "женская", "Мужской": "мужская", "Унисекс": "унисекс"}

CATALOG = (
    CategorySpec(
        "Косметика", "kosmetika", featured=True, attributes=("paraben-free", "volume"),
        brands=("Травы Алтая", "Северная Роса", "Aqua Botanica", "Mira Skin", "Белый Лотос", "Dr. Volkova",
                "Petal & Co", "Сибирский Кедр"),
        facts=("Не тестируется на животных.", "Произведено в России.", "Дерматологически протестировано.",
               "Срок годности — 24 месяца."),
        children=(
            CategorySpec("Уход за волосами", "ukhod-za-volosami", featured=True,
                         attributes=("hair-type", "sulfate-free"), children=(
                CategorySpec("Шампуни", "shampuni", goods=Goods(
                    nouns=("Шампунь",), qualifiers=("восстанавливающий", "увлажняющий", "с пантенолом",
                                                    "укрепляющий", "мягкий", "травяной"),
                    phrase_attribute="hair-type", number_in_name="volume", share=14,
                    numbers={"volume": (250, 300, 400, 500, 750)}, price=(190, 1200),
                    consumption_days=(30, 45, 60),
                    facts=("Мягко очищает кожу головы и волосы.", "Подходит для ежедневного применения.",
                           "Содержит экстракты крапивы и ромашки.", "Волосы легко расчёсываются.",
                           "Не утяжеляет волосы.", "Экономичный расход."))),
                CategorySpec("Бальзамы и кондиционеры", "balzamy-i-konditsionery", goods=Goods(
                    nouns=("Бальзам-ополаскиватель", "Кондиционер"), qualifiers=("", "питательный", "с кератином"),
                    phrase_attribute="hair-type", number_in_name="volume", share=8,
                    numbers={"volume": (200, 250, 300, 400)}, price=(220, 1100), consumption_days=(45, 60),
                    facts=("Облегчает расчёсывание.", "Придаёт волосам блеск.",
                           "Нанесите на влажные волосы на 2–3 минуты.", "Защищает кончики от сечения."))),
                CategorySpec("Маски для волос", "maski-dlya-volos", goods=Goods(
                    nouns=("Маска",), qualifiers=("интенсивная", "восстанавливающая", "с кератином"),
                    phrase_attribute="hair-type", number_in_name="volume", share=5,
                    numbers={"volume": (150, 200, 250, 300)}, price=(290, 1600), consumption_days=(60, 90),
                    facts=("Глубоко питает по всей длине.", "Используйте 1–2 раза в неделю.",
                           "Содержит масло арганы и кератин."))),
            )),
            CategorySpec("Уход за лицом", "ukhod-za-litsom", attributes=("skin-type",), children=(
                CategorySpec("Кремы для лица", "kremy-dlya-litsa", goods=Goods(
                    nouns=("Крем для лица",), qualifiers=("дневной", "ночной", "увлажняющий", "матирующий"),
                    phrase_attribute="skin-type", number_in_name="volume", share=8,
                    numbers={"volume": (30, 50, 75)}, price=(390, 3500), consumption_days=(45, 60, 90),
                    facts=("Увлажняет кожу на 24 часа.", "Быстро впитывается и не оставляет блеска.",
                           "Подходит как основа под макияж.", "С гиалуроновой кислотой и пантенолом."))),
                CategorySpec("Сыворотки", "syvorotki", goods=Goods(
                    nouns=("Сыворотка для лица",), qualifiers=("с витамином C", "с ниацинамидом", "пептидная"),
                    phrase_attribute="skin-type", number_in_name="volume", share=5,
                    numbers={"volume": (15, 30, 50)}, price=(590, 4200), consumption_days=(45, 60),
                    facts=("Выравнивает тон кожи.", "Наносите 2–3 капли утром и вечером.",
                           "Высокая концентрация активных компонентов."))),
            )),
            CategorySpec("Уход за телом", "ukhod-za-telom", attributes=("skin-type",), children=(
                CategorySpec("Гели для душа", "geli-dlya-dusha", goods=Goods(
                    nouns=("Гель для душа",), qualifiers=("освежающий", "кремовый", "цитрусовый", "ягодный"),
                    phrase_attribute="skin-type", number_in_name="volume", share=8,
                    numbers={"volume": (250, 400, 500, 750)}, price=(150, 790), consumption_days=(30, 45),
                    facts=("Бережно очищает и не сушит кожу.", "Приятный стойкий аромат.",
                           "pH-нейтральная формула."))),
                CategorySpec("Кремы для тела", "kremy-dlya-tela", goods=Goods(
                    nouns=("Крем для тела",), qualifiers=("питательный", "с маслом ши", "смягчающий"),
                    phrase_attribute="skin-type", number_in_name="volume", share=5,
                    numbers={"volume": (150, 200, 250, 400)}, price=(250, 1400), consumption_days=(45, 60),
                    facts=("Смягчает сухие участки кожи.", "Не оставляет липкости.", "С маслом ши и витамином E."))),
            )),
        ),
    ),
    CategorySpec(
        "Обувь", "obuv", featured=True, attributes=("gender", "colour", "upper", "season"),
        brands=("Stride", "Урбан Степ", "Norde", "Veloce", "Kedr Walk", "Moro"),
        facts=("Анатомическая стелька.", "Размер соответствует российскому.",
               "Бесплатная примерка при получении."),
        children=(
            CategorySpec("Кроссовки", "krossovki", goods=Goods(
                nouns=("Кроссовки",), template="{noun} {phrase} {brand} {model}",
                models=("Aero", "Runner", "Street", "Pulse", "Cloud", "Track", "Neo", "Flex"),
                phrase_attribute="gender", phrases=SHOE_GENDER, sizes="shoe-size", share=14, price=(2490, 14990),
                choices={"upper": ("Текстиль", "Сетка", "Натуральная кожа", "Искусственная кожа"),
                         "season": ("Лето", "Демисезон", "Всесезон")},
                facts=("Лёгкая амортизирующая подошва.", "Дышащий верх из сетки.",
                       "Подходят для бега и ходьбы.", "Светоотражающие элементы."))),
            CategorySpec("Ботинки", "botinki", goods=Goods(
                nouns=("Ботинки",), template="{noun} {phrase} {brand} {model}",
                models=("Tundra", "Ural", "Trek", "Classic", "Urban", "Ridge"),
                phrase_attribute="gender", phrases=SHOE_GENDER, sizes="shoe-size", share=8, price=(3990, 18990),
                choices={"upper": ("Натуральная кожа", "Замша", "Искусственная кожа"),
                         "season": ("Демисезон", "Зима")},
                facts=("Нескользящая подошва.", "Тёплая подкладка из шерсти.", "Водоотталкивающая пропитка."))),
            CategorySpec("Туфли", "tufli", goods=Goods(
                nouns=("Туфли",), template="{noun} {phrase} {brand} {model}",
                models=("Milano", "Elegance", "Office", "Soft", "Grace"),
                phrase_attribute="gender", phrases=SHOE_GENDER, sizes="shoe-size", share=6, price=(2990, 12990),
                choices={"upper": ("Натуральная кожа", "Замша", "Искусственная кожа"), "season": ("Всесезон",)},
                facts=("Устойчивый каблук.", "Кожаная стелька.", "Подходят к деловому костюму."))),
        ),
    ),
    CategorySpec(
        "Одежда", "odezhda", attributes=("gender", "colour", "fabric"),
        brands=("Basic Line", "Лён и Хлопок", "Nord Wear", "Urban Fox", "Сезоны"),
        facts=("Стирка при 30 °C.", "Не садится после стирки.", "Модель соответствует размеру."),
        children=(
            CategorySpec("Футболки", "futbolki", goods=Goods(
                nouns=("Футболка",), template="{noun} {phrase} {brand} {qualifier}",
                qualifiers=("базовая", "оверсайз", "с принтом", "приталенная"),
                phrase_attribute="gender", phrases=WEAR_GENDER_F, sizes="clothes-size", share=10, price=(490, 2490),
                choices={"fabric": ("Хлопок", "Хлопок с эластаном", "Бамбук")},
                facts=("Мягкий плотный трикотаж.", "Круглый вырез горловины.", "Швы не натирают."))),
            CategorySpec("Худи и свитшоты", "khudi-i-svitshoty", goods=Goods(
                nouns=("Худи", "Свитшот"), template="{noun} {brand} {qualifier}",
                qualifiers=("с капюшоном", "оверсайз", "на флисе", "классический"),
                sizes="clothes-size", share=7, price=(1490, 5990), choices={"fabric": ("Футер", "Хлопок")},
                facts=("Тёплый футер с начёсом.", "Карман-кенгуру.", "Манжеты и низ на резинке."))),
        ),
    ),
    CategorySpec(
        "Бытовая химия", "bytovaya-khimiya", featured=True, attributes=("scent", "hypoallergenic"),
        brands=("Чистодом", "Блеск", "Eco Wave", "Свежесть", "Frau Klar", "Капля"),
        facts=("Биоразлагаемая формула.", "Хранить в недоступном для детей месте.", "Произведено в России."),
        children=(
            CategorySpec("Средства для стирки", "sredstva-dlya-stirki", attributes=("weight",), goods=Goods(
                nouns=("Стиральный порошок", "Гель для стирки", "Капсулы для стирки"),
                qualifiers=("для всех типов тканей", "для цветного белья", "для белого белья", "для детского белья"),
                number_in_name="weight", share=10, numbers={"weight": (0.4, 1, 1.5, 2.4, 3, 4.5, 6)},
                price=(190, 1490), consumption_days=(30, 45, 60, 90),
                facts=("Отстирывает пятна уже при 30 °C.", "Подходит для ручной и машинной стирки.",
                       "Сохраняет яркость цвета.", "Не оставляет разводов на ткани."))),
            CategorySpec("Средства для мытья посуды", "sredstva-dlya-posudy", attributes=("volume",), goods=Goods(
                nouns=("Средство для мытья посуды",), qualifiers=("концентрированное", "бальзам", "эко"),
                number_in_name="volume", share=8, numbers={"volume": (450, 500, 900, 1000, 5000)},
                price=(99, 690), consumption_days=(21, 30, 45),
                facts=("Справляется с жиром даже в холодной воде.", "Бережно к коже рук.",
                       "Легко смывается без следов."))),
            CategorySpec("Чистящие средства", "chistyashchie-sredstva", attributes=("volume",), goods=Goods(
                nouns=("Средство для чистки ванной", "Средство для стёкол", "Средство для кухни"),
                qualifiers=("спрей", "гель", "антиналёт", "универсальное"),
                number_in_name="volume", share=8, numbers={"volume": (500, 750, 1000)},
                price=(129, 590), consumption_days=(30, 60),
                facts=("Удаляет известковый налёт и ржавчину.", "Не оставляет разводов.",
                       "Удобный распылитель."))),
        ),
    ),
    CategorySpec(
        "Товары для дома", "tovary-dlya-doma", featured=True,
        brands=("Уютный Дом", "Home Craft", "Nordic Home", "Kuchen Profi", "Чугунок", "Ивушка"),
        facts=("Гарантия 12 месяцев.", "Подходит для подарка."),
        children=(
            CategorySpec("Текстиль", "tekstil", attributes=("fabric", "colour"), children=(
                CategorySpec("Полотенца", "polotentsa", attributes=("towel-size",), goods=Goods(
                    nouns=("Полотенце",), qualifiers=("махровое", "банное", "для рук", "вафельное"),
                    share=7, price=(290, 1990), choices={"fabric": ("Хлопок", "Махра", "Бамбук", "Лён")},
                    facts=("Плотность 450 г/м².", "Хорошо впитывает влагу.", "Не линяет после стирки."))),
                CategorySpec("Постельное бельё", "postelnoe-bele", attributes=("bedding-size",), goods=Goods(
                    nouns=("Комплект постельного белья",), qualifiers=("однотонный", "в полоску", "с принтом"),
                    share=6, price=(1990, 8990), choices={"fabric": ("Сатин", "Хлопок", "Лён", "Бамбук")},
                    facts=("Наволочки 70×70 в комплекте.", "Простыня на резинке.",
                           "Не скатывается и не линяет."))),
            )),
            CategorySpec("Посуда", "posuda", children=(
                CategorySpec("Сковороды", "skovorody", attributes=("diameter", "coating", "induction"),
                             goods=Goods(
                    nouns=("Сковорода",), qualifiers=("", "глубокая", "с крышкой", "для блинов"),
                    number_in_name="diameter", share=6, numbers={"diameter": (20, 22, 24, 26, 28)},
                    price=(890, 6990),
                    facts=("Равномерно распределяет тепло.", "Можно мыть в посудомоечной машине.",
                           "Съёмная ручка."))),
                CategorySpec("Кружки", "kruzhki", attributes=("volume", "colour"), goods=Goods(
                    nouns=("Кружка",), qualifiers=("керамическая", "фарфоровая", "термокружка", "с крышкой"),
                    number_in_name="volume", share=5, numbers={"volume": (250, 300, 350, 400, 450)},
                    price=(190, 1290),
                    facts=("Подходит для микроволновой печи.", "Удобная широкая ручка.",
                           "Можно мыть в посудомоечной машине."))),
            )),
        ),
    ),
    CategorySpec(
        "Зоотовары", "zootovary", attributes=("weight", "pet-age", "grain-free"),
        brands=("Мурлыка", "Лапа", "Pet Garden", "Верный друг", "Хвостик"),
        facts=("Сбалансированный рацион.", "Без искусственных красителей."),
        children=(
            CategorySpec("Корма для кошек", "korma-dlya-koshek", goods=Goods(
                nouns=("Сухой корм для кошек", "Влажный корм для кошек"), template="{noun} {brand} {phrase}",
                phrase_attribute="pet-age", number_in_name="weight", share=8,
                numbers={"weight": (0.4, 0.85, 1.5, 2, 4, 10)}, price=(89, 4990), consumption_days=(14, 30, 45, 60),
                facts=("С курицей и индейкой.", "Поддерживает здоровье мочевыводящих путей.",
                       "Выводит шерсть из желудка."))),
            CategorySpec("Корма для собак", "korma-dlya-sobak", goods=Goods(
                nouns=("Сухой корм для собак", "Влажный корм для собак"), template="{noun} {brand} {phrase}",
                phrase_attribute="pet-age", number_in_name="weight", share=8,
                numbers={"weight": (0.4, 1, 2.5, 3, 12, 15)}, price=(99, 6990), consumption_days=(14, 30, 60),
                facts=("С ягнёнком и рисом.", "Для крепких суставов и костей.",
                       "Подходит для собак всех пород."))),
        ),
    ),
)
